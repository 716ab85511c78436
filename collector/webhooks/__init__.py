"""Webhooks: events of answers posted to other tools, signed in the Standard
Webhooks format or as Slack messages.

- signing: secrets and signatures
- addresses: which addresses may receive (no private ones unless allowed)
- posting: one POST, to the address checked, no redirects followed
- slack: an event as a Slack message
- sender: the thread that sends, while it holds the lease
- process: the sender's process of its own, started by the server's master
"""
