"""Send a text message and an email through a local Herald (`make run`) and watch them reach `delivered`."""

import json
import time
from pathlib import Path

from notifications_python_client.notifications import NotificationsAPIClient

demo = json.loads(Path(".data/demo.json").read_text())
client = NotificationsAPIClient(demo["api_keys"]["normal"], base_url=demo["api_url"])
sms = client.send_sms_notification("07700900123", demo["templates"]["sms"], personalisation={"name": "Ada"})
email = client.send_email_notification("ada@example.com", demo["templates"]["email"], personalisation={"name": "Ada"})
for _ in range(50):
    statuses = [client.get_notification_by_id(sent["id"])["status"] for sent in (sms, email)]
    print(statuses)
    if statuses == ["delivered", "delivered"]:
        break
    time.sleep(0.1)
