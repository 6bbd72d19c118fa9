"""The facilitators' pages: their home and the workshop console."""

urls = []
