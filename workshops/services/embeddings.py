"""The stored vectors of a workshop's texts, written by a job after each post-it,
orientation or word of a words round is written, so that suggestions and the word
cloud never run the model in a request."""

from tasks.outbox import enqueue_on_commit_once

from .. import encoder
from ..models import TextEmbedding, WordEntry, Workshop
from ..suggestions import contribution_text, orientation_texts, stored_vectors
from ..words import key_texts


def workshop_texts_embed_later(workshop_id: int) -> None:
    """Queue the embedding of what is new once the caller's transaction commits, once
    for a burst of post-its."""
    if encoder.available():
        enqueue_on_commit_once("tasks.workshop_texts_embed", workshop_id, window_s=1.0)


def workshop_texts_embed(workshop_id: int) -> int:
    """Embed the workshop's visible post-its, orientation titles and words (each key's
    first spelling, as the cloud reads them: `workshops.words`) that have no vector yet;
    returns how many. Each job takes all that is missing, so a job lost while the
    broker was down is made up by the workshop's next write; two jobs racing store each
    vector once (the unique key)."""
    workshop = Workshop.objects.filter(pk=workshop_id).first()
    if workshop is None or not encoder.available():
        return 0
    texts = [contribution_text(c) for c in workshop.contributions.visible()]
    texts += [t for o in workshop.orientations.all() for t in orientation_texts(o)]
    words = WordEntry.objects.filter(round__workshop=workshop).order_by("pk")
    texts += key_texts(words.values_list("key", "text")).values()
    stored = stored_vectors(workshop, texts)
    missing = list({encoder.digest(t): t for t in texts if encoder.digest(t) not in stored}.items())
    if not missing:
        return 0
    vectors = encoder.encode([text for _digest, text in missing])
    TextEmbedding.objects.bulk_create(
        [
            TextEmbedding(workshop=workshop, encoder=encoder.ENCODER, digest=d, vector=v)
            for (d, _text), v in zip(missing, vectors, strict=True)
        ],
        ignore_conflicts=True,
    )
    return len(missing)
