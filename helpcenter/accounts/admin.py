# Nothing of our own to register: staff edit users and groups in
# django.contrib.auth's admin, TOTP devices in django-otp's and locked-out
# sign-ins (delete one to unlock) in django-axes'.
