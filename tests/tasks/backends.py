"""An email backend that answers like a real SMTP server would, on cue."""

from django.core.mail.backends.locmem import EmailBackend


class ScriptedBackend(EmailBackend):
    """Raise the scripted exceptions one per message, then deliver to mail.outbox."""

    script: list[Exception] = []

    def send_messages(self, messages):
        if ScriptedBackend.script:
            raise ScriptedBackend.script.pop(0)
        return super().send_messages(messages)
