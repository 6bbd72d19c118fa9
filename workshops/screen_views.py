"""The projector and the participants' phones."""

urls = []
