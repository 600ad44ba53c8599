"""Delivery to subscribers: the subscriber list and delivery log (``subscribers``),
the message (``message``), the SMTP connection (``smtp``) and ``send``, which sends each
week's published bulletins exactly once as far as SMTP allows."""
