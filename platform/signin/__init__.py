"""Sign-in beyond the password: the municipality's identity provider (OpenID Connect) and the
second factor (TOTP and recovery codes) that coordinators and administrators must use."""
