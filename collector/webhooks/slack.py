"""An event as a Slack incoming-webhook message: Block Kit blocks and a plain
`text` fallback (for notifications, and for Mattermost and Rocket.Chat,
which accept the same message)."""

from __future__ import annotations

from typing import Any

from ..storage import FOLLOWUP_UPDATED, WEBHOOK_TEST

CATEGORY_LABELS = {"promoter": "Promoter", "passive": "Passive", "detractor": "Detractor"}
CATEGORY_EMOJI = {"promoter": ":large_green_circle:", "passive": ":large_yellow_circle:", "detractor": ":red_circle:"}
MAX_TEXT = 2900  # Slack allows 3000 characters in a section's text


def escape(text: str) -> str:
    """Text as Slack's mrkdwn shows it literally (it reads &, < and > as markup)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message(event: dict[str, Any]) -> dict[str, Any]:
    """The Slack message for *event* (a Standard Webhooks body, its data with a followup_url)."""
    if event["type"] == WEBHOOK_TEST:
        text = "Anbefal test message: alerts to this channel work."
        return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
    answer = event["data"]
    category = CATEGORY_LABELS.get(answer["category"], answer["category"])
    where = escape(answer["touchpoint"])
    if event["type"] == FOLLOWUP_UPDATED:
        followup = answer.get("followup") or {}
        status = followup.get("status") or "open again"
        who = f" by {escape(followup['by'])}" if followup.get("by") else ""
        headline = f"Follow-up of a {answer['score']} at *{where}*: {escape(status)}{who}"
        fallback = f"Follow-up of a {answer['score']} at {answer['touchpoint']}: {status}"
    else:
        emoji = CATEGORY_EMOJI.get(answer["category"], "")
        headline = f"{emoji} *{answer['score']}* out of 10 ({category}) at *{where}*".strip()
        fallback = f"{answer['score']} out of 10 ({category}) at {answer['touchpoint']}"
        if answer.get("comment"):
            fallback += f": {answer['comment']}"
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": headline}}]
    if answer.get("comment"):
        quoted = "\n".join("> " + line for line in escape(answer["comment"]).splitlines() or [""])
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(quoted)}})
    if event["type"] == FOLLOWUP_UPDATED and (answer.get("followup") or {}).get("note"):
        note = escape(answer["followup"]["note"])
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(f"Note: {note}")}})
    details = [f"ref: `{escape(answer['ref'])}`"] if answer.get("ref") else []
    details.append(f"channel: {escape(answer['channel'])}")
    details += [f"{escape(key)}: {escape(value)}" for key, value in (answer.get("properties") or {}).items()]
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(" · ".join(details))}]})
    if answer.get("followup_url"):
        button = {
            "type": "button",
            "text": {"type": "plain_text", "text": "Follow up"},
            "url": answer["followup_url"],
        }
        if answer["category"] == "detractor":
            button["style"] = "primary"
        blocks.append({"type": "actions", "elements": [button]})
    return {"text": _cut(fallback), "blocks": blocks}
