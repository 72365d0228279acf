# Staff accounts keep no tables of their own: users and groups are
# django.contrib.auth's, TOTP devices django-otp's, failed sign-ins django-axes'.
