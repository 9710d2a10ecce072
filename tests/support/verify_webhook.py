"""Verifies one webhook with the Standard Webhooks reference library (`pip install
standardwebhooks`), independently of rallypost's own signing code.

Input on stdin, as JSON: {"secret": "whsec_...", "headers": {...}, "body": "..."}.
Prints the event's type and exits 0 if the signature is good; exits 1 if it is not.
"""

import json
import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

given = json.load(sys.stdin)
try:
    event = Webhook(given["secret"]).verify(given["body"], given["headers"])
except WebhookVerificationError as e:
    print(f"not verified: {e}")
    sys.exit(1)
print(event["type"])
