"""Recipient checks without a database or an app: phone numbers, email addresses, guest lists, test recipients."""
