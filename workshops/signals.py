"""What other apps may react to, without workshops knowing them (reports builds the
booklet when a workshop closes)."""

from django.dispatch import Signal

# Sent after commit with `workshop`.
workshop_closed = Signal()
