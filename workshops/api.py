"""The workshops API: everything the console does, for facilitators' tools and phones."""

from ninja import Router

router = Router(tags=["workshops"])
