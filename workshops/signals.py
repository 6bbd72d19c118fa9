"""What other apps may react to, without workshops knowing them (reports builds the
booklet when a workshop closes).

Sent after commit: its receivers only act outside the database (the rule for every
domain event is in `meetings/signals.py`)."""

from django.dispatch import Signal

# Sent after commit with `workshop`.
workshop_closed = Signal()
