"""The notifications pages: `centre` (a person's notifications, urls.py) and `mail` (e-mail
preferences and unsubscribing, mail_urls.py)."""
