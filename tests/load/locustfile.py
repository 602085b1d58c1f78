"""Deelbaar's load: the people who use it, in the proportions they come in.

Visitors (anonymous) browse the library most; developers work the backlog and edit items;
testers read their inbox and the increments; product owners order the backlog. Each person
thinks a few seconds between steps. Run by tests/load/run.py (`make load`), which starts the
stack, logs the demo's people in once and hands their credentials over in LOAD_CREDENTIALS
(JSON: role -> {"token", "cookie"}); LOAD_HOSTS lists the web processes, each simulated person
sticking to one of them, as behind a load balancer with sticky sessions.
"""

import json
import os
import random

from locust import HttpUser, between, task

CREDENTIALS = json.loads(os.environ.get("LOAD_CREDENTIALS", "{}"))
HOSTS = os.environ.get("LOAD_HOSTS", "http://127.0.0.1:8000").split(",")
PRODUCT = os.environ.get("LOAD_PRODUCT", "Subsidiesysteem")
SEARCHES = ["subsidie", "zaak", "loket", "bezwaar", "medewerker", "inwoner"]


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 4)
    host = HOSTS[0]

    token = {}

    def on_start(self):
        self.client.base_url = random.choice(HOSTS)
        self.client.headers["Accept-Language"] = random.choice(["nl", "nl", "nl", "en"])
        if self.role:
            credentials = CREDENTIALS[self.role]
            # The session cookie is Secure (DEBUG is off): carried by hand over plain http.
            self.client.headers["Cookie"] = credentials["cookie"]
            # The API by token, without the cookie: a session would ask for a CSRF token.
            self.token = {"Authorization": f"Token {credentials['token']}", "Cookie": None}
            products = self.api("/api/v1/products/?page_size=100", "/api/v1/products/")
            self.product = next(p["id"] for p in products["results"] if p["name"] == PRODUCT)
            self.items = [
                item["id"]
                for item in self.api(
                    f"/api/v1/products/{self.product}/backlog/?page_size=100",
                    "/api/v1/products/[id]/backlog/",
                )["results"]
            ]
        self.solutions = [
            s["slug"]
            for s in self.client.get("/api/v1/solutions/?page_size=100", name="/api/v1/solutions/")
            .json()
            .get("results", [])
        ]

    def api(self, path, name):
        return self.client.get(path, headers=self.token, name=name).json()

    def page(self, path, name):
        self.client.get(path, name=name)

    def solution_page(self):
        if self.solutions:
            self.page(f"/solutions/{random.choice(self.solutions)}/", "/solutions/[slug]/")

    def backlog_page(self):
        self.page(f"/products/{self.product}/", "/products/[id]/ (backlog)")

    def edit_item(self):
        """Read an item, change its title if nobody changed it since (If-Match)."""
        item = random.choice(self.items)
        path = f"/api/v1/items/{item}/"
        read = self.client.get(path, headers=self.token, name="/api/v1/items/[id]/")
        if read.status_code != 200:
            return
        title = read.json()["title"].split(" (")[0][:150]
        with self.client.patch(
            path,
            json={"title": f"{title} ({random.randint(1, 999)})"},
            headers={**self.token, "If-Match": read.headers["ETag"]},
            name="/api/v1/items/[id]/",
            catch_response=True,
        ) as response:
            # Someone edited the same item in between: refusing the stale write is right.
            if response.status_code in (200, 412):
                response.success()


class Visitor(Person):
    """Someone of a municipality looking for software to reuse."""

    weight = 8

    @task(5)
    def catalogue(self):
        self.page("/solutions/", "/solutions/")

    @task(3)
    def search(self):
        self.page(f"/solutions/?q={random.choice(SEARCHES)}", "/solutions/?q=")

    @task(4)
    def solution(self):
        self.solution_page()

    @task(1)
    def cooperatives(self):
        self.page("/cooperatives/", "/cooperatives/")

    @task(1)
    def cooperative(self):
        self.page("/cooperatives/zuidoost-brabant/", "/cooperatives/[slug]/")

    @task(1)
    def home(self):
        self.page("/", "/")


class Developer(Person):
    role = "developer"
    weight = 5

    @task(4)
    def backlog(self):
        self.backlog_page()

    @task(3)
    def backlog_api(self):
        self.api(
            f"/api/v1/products/{self.product}/backlog/?page={random.randint(1, 3)}",
            "/api/v1/products/[id]/backlog/",
        )

    @task(3)
    def item_page(self):
        self.page(
            f"/products/{self.product}/items/{random.choice(self.items)}/",
            "/products/[id]/items/[id]/",
        )

    @task(2)
    def edit(self):
        self.edit_item()

    @task(1)
    def repositories(self):
        self.api("/api/v1/repositories/", "/api/v1/repositories/")


class Tester(Person):
    role = "tester"
    weight = 4

    @task(4)
    def inbox(self):
        self.page("/products/inbox/", "/products/inbox/")

    @task(3)
    def inbox_api(self):
        self.api("/api/v1/me/inbox/", "/api/v1/me/inbox/")

    @task(2)
    def increments(self):
        self.page(f"/products/{self.product}/increments/", "/products/[id]/increments/")

    @task(2)
    def solution(self):
        self.solution_page()


class ProductOwner(Person):
    role = "product_owner"
    weight = 3

    @task(4)
    def backlog(self):
        self.backlog_page()

    @task(3)
    def move(self):
        item, before = random.sample(self.items, 2)
        self.client.post(
            f"/api/v1/products/{self.product}/backlog/move/",
            json={"item": item, "before": before},
            headers=self.token,
            name="/api/v1/products/[id]/backlog/move/",
        )

    @task(2)
    def edit(self):
        self.edit_item()

    @task(1)
    def sprints(self):
        self.page(f"/products/{self.product}/sprints/", "/products/[id]/sprints/")
