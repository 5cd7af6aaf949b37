"""Clients for the email provider: Amazon SES through boto3's sesv2 API."""
