"""A real OpenID Connect provider for the sign-in tests, run as a process of its own.

Built from Authlib's server parts (the authorization code grant with PKCE, OpenID Connect's
`OpenIDCode` extension signing RS256 ID tokens, a bearer-protected userinfo endpoint) and served
by Flask on the loopback. Deelbaar talks to it over HTTP exactly as to Entra ID or Keycloak:
discovery, authorisation redirect, token request, JWKS, userinfo.

The person signing in types an e-mail address (and ticks whether the provider vouches for it)
on the provider's own sign-in page. `POST /test/tamper` makes the next ID tokens carry a
signature of a key the provider never published (under the published key id): a forged token.

    python -m tests.signin.provider --port 18310 --client-id deelbaar --client-secret s3cret
"""

import argparse
import time
import uuid
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector, current_token
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from markupsafe import escape

KEY_ID = "provider-key-1"


@dataclass
class Person:
    sub: str
    email: str
    email_verified: bool


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        # Deelbaar under test runs on loopback addresses chosen at run time.
        return redirect_uri.startswith(("http://127.0.0.1:", "http://testserver/"))

    def check_client_secret(self, client_secret):
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_post", "client_secret_basic")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: Person
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


@dataclass
class Token(TokenMixin):
    access_token: str
    client_id: str
    scope: str
    person: Person
    issued_at: int
    expires_in: int

    def check_client(self, client):
        return client.client_id == self.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self):
        return False

    def get_user(self):
        return self.person


def user_info(person: Person, scope: str) -> UserInfo:
    info = UserInfo(sub=person.sub)
    if "email" in scope.split():
        info["email"] = person.email
        info["email_verified"] = person.email_verified
    return info


def create_app(*, issuer: str, client_id: str, client_secret: str) -> Flask:
    app = Flask(__name__)
    key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
    # Same key id, never published: a token it signs has a bad signature.
    forger = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
    state = {"tamper": False}
    clients = {client_id: Client(client_id, client_secret)}
    codes: dict[str, Code] = {}
    tokens: dict[str, Token] = {}

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post", "client_secret_basic"]

        def save_authorization_code(self, code, req):
            codes[code] = Code(
                code=code,
                client_id=req.client.client_id,
                redirect_uri=req.payload.redirect_uri,
                scope=req.scope,
                person=req.user,
                nonce=req.payload.data.get("nonce"),
                code_challenge=req.payload.data.get("code_challenge"),
                code_challenge_method=req.payload.data.get("code_challenge_method"),
            )

        def query_authorization_code(self, code, client):
            found = codes.get(code)
            return found if found and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code):
            codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return authorization_code.person

    class OpenIDCodeExtension(OpenIDCode):
        def exists_nonce(self, nonce, req):
            return any(
                c.nonce == nonce and c.client_id == req.payload.client_id for c in codes.values()
            )

        def resolve_client_private_key(self, client):
            return forger if state["tamper"] else key

        def get_client_algorithm(self, client):
            return "RS256"

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": KEY_ID}

        def get_client_claims(self, client):
            return {"iss": issuer, "aud": [client.get_client_id()], "exp": int(time.time()) + 300}

        def generate_user_info(self, person, scope):
            return user_info(person, scope)

    def save_token(token, req):
        tokens[token["access_token"]] = Token(
            access_token=token["access_token"],
            client_id=req.client.client_id,
            scope=token.get("scope", ""),
            person=req.user,
            issued_at=int(time.time()),
            expires_in=token.get("expires_in", 3600),
        )

    server = AuthorizationServer(app, query_client=clients.get, save_token=save_token)
    server.register_grant(
        CodeGrant, [OpenIDCodeExtension(require_nonce=True), CodeChallenge(required=True)]
    )

    class Validator(BearerTokenValidator):
        def authenticate_token(self, token_string):
            return tokens.get(token_string)

    protect = ResourceProtector()
    protect.register_token_validator(Validator())

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify(
            issuer=issuer,
            authorization_endpoint=f"{issuer}/authorize",
            token_endpoint=f"{issuer}/token",
            userinfo_endpoint=f"{issuer}/userinfo",
            jwks_uri=f"{issuer}/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            scopes_supported=["openid", "email", "profile"],
            token_endpoint_auth_methods_supported=["client_secret_post", "client_secret_basic"],
            code_challenge_methods_supported=["S256"],
            claims_supported=["sub", "email", "email_verified"],
        )

    @app.get("/jwks")
    def jwks():
        return jsonify(keys=[key.as_dict(private=False)])

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():
        if request.method == "GET":
            # The provider's own sign-in page, as a municipality's would show.
            server.get_consent_grant(end_user=None)  # refuses a malformed request at once
            return (
                "<!doctype html><html lang='en'><head><title>Test provider</title></head><body>"
                "<main><h1>Test provider: sign in</h1>"
                f"<form method='post' action='/authorize?{escape(request.query_string.decode())}'>"
                "<label for='email'>E-mail</label><input id='email' name='email' type='email'>"
                "<label><input type='checkbox' name='email_verified' value='true' checked>"
                " verified</label><button type='submit'>Sign in</button></form></main>"
                "</body></html>"
            )
        email = request.form["email"]
        person = Person(
            sub=str(uuid.uuid5(uuid.NAMESPACE_URL, email)),
            email=email,
            email_verified=request.form.get("email_verified") == "true",
        )
        return server.create_authorization_response(grant_user=person)

    @app.post("/token")
    def issue_token():
        return server.create_token_response()

    @app.route("/userinfo", methods=["GET", "POST"])
    @protect("openid")
    def userinfo():
        return jsonify(user_info(current_token.person, current_token.scope))

    @app.post("/test/tamper")
    def tamper():
        state["tamper"] = request.form.get("on", "true") == "true"
        return jsonify(tamper=state["tamper"])

    return app


def main():
    parser = argparse.ArgumentParser(description="A real OpenID Connect provider for tests.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    args = parser.parse_args()
    issuer = f"http://127.0.0.1:{args.port}"
    app = create_app(issuer=issuer, client_id=args.client_id, client_secret=args.client_secret)
    from werkzeug.serving import make_server

    make_server("127.0.0.1", args.port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
