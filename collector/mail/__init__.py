"""Mail: detractor alerts and the digest, written in each user's language
(texts), made into messages (compose, digest), and sent over SMTP (smtp)
from the outbox by the webhook sender's thread, while it holds the lease
(outgoing)."""
