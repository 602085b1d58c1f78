"""An increment picks a git reference from the synced mirrors and lists the commits since the
previous increment: list_refs, the reference check in create_increment, the pages, the API."""

import pytest
from django.urls import reverse
from django.utils import timezone

from deelbaar.errors import DomainError
from integrations import git as mirrors
from integrations.selectors.repositories import git_refs_for_product, unresolved_ref
from integrations.services import repositories as services
from sprints import services as sprints_services
from sprints.models import BacklogItem, Increment, ItemStatus
from tests.integrations.gitrepos import WorkRepo, as_, link_and_sync

pytestmark = pytest.mark.usefixtures("git_settings")


@pytest.fixture
def done_item(make_item):
    def make(title="Klaar"):
        item = make_item(title)
        # Straight to done: the board's rules are tested in tests/sprints.
        BacklogItem.objects.filter(pk=item.pk).update(status=ItemStatus.DONE)
        item.refresh_from_db()
        return item

    return make


@pytest.fixture
def increment_of(product, product_owner, done_item):
    """Create an increment through the service; each a second later than the one before."""
    made = []

    def make(version, git_ref=""):
        increment = sprints_services.create_increment(
            actor=product_owner,
            product=product,
            version=version,
            items=[done_item(f"Item {version}")],
            git_ref=git_ref,
        )
        if made:
            increment.created_at = made[-1].created_at + timezone.timedelta(seconds=1)
            increment.save(update_fields=["created_at"])
        made.append(increment)
        return increment

    return make


@pytest.fixture
def history(work, product, product_owner, make_item):
    """v1 tag, then two commits (one mentions an item) on main, and a feature branch."""
    item = make_item("Formulier")
    first = work.commit("one")
    work.repo.create_tag("v1", message="Release 1")  # annotated
    second = work.commit(f"{item.reference}: two")
    third = work.commit("three")
    work.repo.create_head("feature/x")
    repository = link_and_sync(product, product_owner, work.path)
    return {
        "repository": repository,
        "item": item,
        "first": first,
        "second": second,
        "third": third,
    }


# --- list_refs -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_list_refs_gives_branches_and_peeled_tags(history):
    refs = mirrors.list_refs(mirrors.mirror_path(history["repository"].pk))
    by_name = {ref.name: ref for ref in refs}
    assert set(by_name) == {"main", "feature/x", "v1"}
    assert by_name["main"] == ("main", "branch", history["third"])
    assert by_name["feature/x"].kind == "branch"
    # The annotated tag is given with the commit it names, not the tag object.
    assert by_name["v1"] == ("v1", "tag", history["first"])


def test_list_refs_of_a_missing_or_empty_mirror_is_empty(tmp_path):
    assert mirrors.list_refs(tmp_path / "nowhere.git") == []
    import git

    git.Repo.init(tmp_path / "empty.git", bare=True).close()
    assert mirrors.list_refs(tmp_path / "empty.git") == []


def test_list_refs_is_capped_and_newest_first(tmp_path, monkeypatch):
    work = WorkRepo(tmp_path / "many")
    try:
        work.many(3)  # committed a second apart, oldest first
        for n in range(5):
            work.repo.create_tag(f"t{n}", ref=f"HEAD~{n % 3}")
        path = work.path / ".git"
        refs = mirrors.list_refs(path)
        dates = [work.repo.commit(ref.sha).committed_date for ref in refs]
        monkeypatch.setattr(mirrors, "MAX_REFS", 5)
        capped = mirrors.list_refs(path)
    finally:
        work.close()
    assert len(refs) == 6
    assert dates == sorted(dates, reverse=True)
    assert refs[-1].name == "t2"  # the only one on the oldest commit
    assert len(capped) == 5
    assert "t2" not in {ref.name for ref in capped}


@pytest.mark.django_db
def test_product_refs_are_deduplicated(history, product, product_owner, tmp_path):
    other = WorkRepo(tmp_path / "other")
    try:
        other.commit("elsewhere")
        other.repo.create_tag("v9")
        link_and_sync(product, product_owner, other.path)
    finally:
        other.close()
    names = [ref.name for ref in git_refs_for_product(product)]
    assert sorted(names) == sorted({"main", "feature/x", "v1", "v9"})
    assert unresolved_ref(product, "v9") is False
    assert unresolved_ref(product, "nope") is True


# --- Validation in create_increment ----------------------------------------------------------
@pytest.mark.django_db
def test_unknown_ref_is_refused_naming_it(history, increment_of):
    with pytest.raises(DomainError) as caught:
        increment_of("1.0", git_ref="v404")
    assert caught.value.field == "git_ref"
    assert "v404" in str(caught.value.message)
    assert not Increment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("ref", ["v1", "main", "feature/x", "SHA", "SHORT"])
def test_refs_that_resolve_are_accepted(history, increment_of, ref):
    ref = {"SHA": history["second"], "SHORT": history["second"][:8]}.get(ref, ref)
    increment = increment_of("1.0", git_ref=ref)
    assert increment.git_ref == ref


@pytest.mark.django_db
def test_any_ref_without_synced_repository(product, product_owner, increment_of, work):
    assert increment_of("1.0", git_ref="v1.0.0").git_ref == "v1.0.0"
    # Linked but never synced: still nothing to check against.
    work.commit("one")
    services.link_repository(actor=product_owner, product=product, url=str(work.path), sync=False)
    assert increment_of("1.1", git_ref="release/1.1").git_ref == "release/1.1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ref", ["-n", "--upload-pack=evil", "v 1", "main\nx", "a..b", "main@{1}", "HEAD~1", "x\x00"]
)
def test_unsafe_refs_are_refused(product, increment_of, ref):
    with pytest.raises(DomainError) as caught:
        increment_of("1.0", git_ref=ref)
    assert caught.value.field == "git_ref"
    assert "is not a git reference" in str(caught.value.message)


@pytest.mark.django_db
def test_the_form_shows_the_problem_and_suggests_refs(client, history, product, product_owner):
    client.force_login(product_owner)
    url = reverse("sprints:increment_list", kwargs={"product_id": product.pk})
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'list="increment-git_ref-choices"' in html
    assert '<datalist id="increment-git_ref-choices">' in html
    assert '<option value="v1"' in html and '<option value="feature/x"' in html
    item = BacklogItem.objects.filter(product=product).first()
    BacklogItem.objects.filter(pk=item.pk).update(status=ItemStatus.DONE)
    response = client.post(
        url, {"version": "1.0", "items": [item.pk], "git_ref": "v404"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert 'id="increment-git_ref-error"' in html
    assert "v404" in html
    assert not Increment.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_an_unknown_ref(history, product, product_owner, done_item):
    item = done_item()
    response = as_(product_owner).post(
        "/api/v1/increments/",
        {"product": product.pk, "version": "1.0", "items": [item.pk], "git_ref": "v404"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "git_ref" in response.content.decode()
    assert not Increment.objects.exists()


# --- Pages -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_increment_list_shows_the_newest_increments_commits(
    client, history, product, product_owner, increment_of
):
    increment_of("1.0", git_ref="v1")
    later = increment_of("1.1", git_ref="main")
    client.force_login(product_owner)
    url = reverse("sprints:increment_list", kwargs={"product_id": product.pk})
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    section = html[html.index(f'id="increment-{later.pk}-commits"') :]
    section = section[: section.index("</section>")]
    assert "Commits since the previous increment" in section
    assert history["second"][:10] in section and history["third"][:10] in section
    assert history["first"][:10] not in section
    item = history["item"]
    item_url = reverse("sprints:item_detail", kwargs={"product_id": product.pk, "item_id": item.pk})
    assert f'href="{item_url}">{item.reference}</a>' in section
    assert "2 commits in main since v1." in section


@pytest.mark.django_db
def test_page_says_when_the_ref_is_not_found(client, history, product, product_owner):
    # Made before the check existed, or the branch was deleted since.
    increment = Increment.objects.create(product=product, version="1.0", git_ref="gone")
    client.force_login(product_owner)
    url = reverse("sprints:increment_list", kwargs={"product_id": product.pk})
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-commits="not-found"' in html
    assert "The git reference gone was not found" in html
    assert f'id="increment-{increment.pk}-commits"' in html


@pytest.mark.django_db
def test_page_says_when_there_are_no_commits(client, history, product, product_owner, increment_of):
    increment_of("1.0", git_ref="main")
    increment_of("1.1", git_ref=history["third"])
    client.force_login(product_owner)
    url = reverse("sprints:increment_list", kwargs={"product_id": product.pk})
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-commits="none"' in html
    assert "No commits since the previous increment." in html


@pytest.mark.django_db
def test_increment_list_queries_do_not_grow_with_increments(
    client, history, product, product_owner, increment_of, django_assert_max_num_queries
):
    client.force_login(product_owner)
    url = reverse("sprints:increment_list", kwargs={"product_id": product.pk})
    increment_of("1.0", git_ref="v1")
    increment_of("1.1", git_ref="main")
    client.get(url)  # warm caches (session, translations)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(2, 7):
        increment_of(f"1.{n}", git_ref="main")
    with django_assert_max_num_queries(len(small)):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_acceptance_page_lists_the_commits(client, history, product, product_owner, tester):
    item = history["item"]
    BacklogItem.objects.filter(pk=item.pk).update(status=ItemStatus.DONE)
    increment = sprints_services.create_increment(
        actor=product_owner, product=product, version="1.0", items=[item], git_ref="main"
    )
    sprints_services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=timezone.localdate() + timezone.timedelta(days=3),
        testers=[tester],
    )
    client.force_login(tester)
    url = reverse(
        "sprints:acceptance", kwargs={"product_id": product.pk, "increment_id": increment.pk}
    )
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Commits since the previous increment" in html
    for sha in (history["first"], history["second"], history["third"]):
        assert sha[:10] in html
    assert "3 commits up to main" in html


# --- API -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_api_lists_the_commits_since_the_previous_increment(
    history, product_owner, developer, increment_of
):
    increment_of("1.0", git_ref="v1")
    later = increment_of("1.1", git_ref="main")
    response = as_(developer).get(f"/api/v1/increments/{later.pk}/commits/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {c["sha"] for c in body["results"]} == {history["second"], history["third"]}
    second = next(c for c in body["results"] if c["sha"] == history["second"])
    assert [i["reference"] for i in second["items"]] == [history["item"].reference]


@pytest.mark.django_db
def test_api_hides_the_commits_from_outsiders(history, outsider_person, increment_of):
    increment = increment_of("1.0", git_ref="main")
    assert (
        as_(outsider_person).get(f"/api/v1/increments/{increment.pk}/commits/").status_code == 404
    )
    assert as_(None).get(f"/api/v1/increments/{increment.pk}/commits/").status_code in (401, 403)
    assert as_(outsider_person).get("/api/v1/increments/999999/commits/").status_code == 404


@pytest.mark.django_db
def test_api_commits_at_constant_queries(
    history, work, product, product_owner, make_item, increment_of, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    increment_of("1.0", git_ref="v1")
    later = increment_of("1.1", git_ref="main")
    client = as_(product_owner)
    url = f"/api/v1/increments/{later.pk}/commits/"
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).json()["count"] == 2
    for n in range(6):
        item = make_item(f"Item {n}")
        work.commit(f"{item.reference} and {history['item'].reference}")
    services.sync_repository(history["repository"].pk)
    with django_assert_max_num_queries(len(small)):
        body = client.get(url).json()
    assert body["count"] == 8
    assert all(len(c["items"]) == 2 for c in body["results"] if "and" in c["message"])


# --- References are resolved by git itself ---------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("ref", ["0" * 40, "logs/HEAD"])
def test_null_sha_and_git_folder_files_are_not_references(history, increment_of, ref):
    path = mirrors.mirror_path(history["repository"].pk)
    # As git writes it where reflogs are kept: GitPython's own lookup read this file as a ref.
    (path / "logs").mkdir(exist_ok=True)
    (path / "logs" / "HEAD").write_text(
        f"{'0' * 40} {history['third']} Dani <dani@example.org> 1700000000 +0000\tclone\n"
    )
    assert mirrors.resolve(path, ref) is None
    with pytest.raises(DomainError) as caught:
        increment_of("1.0", git_ref=ref)
    assert caught.value.field == "git_ref"
    assert "is not a branch, tag or commit" in str(caught.value.message)
    assert not Increment.objects.exists()


@pytest.mark.django_db
def test_resolve_gives_the_commit_of_a_tag_branch_or_sha(history):
    path = mirrors.mirror_path(history["repository"].pk)
    assert mirrors.resolve(path, "v1") == history["first"]  # the annotated tag, peeled
    assert mirrors.resolve(path, "main") == history["third"]
    assert mirrors.resolve(path, "refs/heads/feature/x") == history["third"]
    assert mirrors.resolve(path, history["second"][:8]) == history["second"]
    assert mirrors.branch_head(path, "main") == history["third"]
    for ref in ("nope", "-n", "--all", "", "main\n", "v1^{tree}"):
        assert mirrors.resolve(path, ref) is None
    assert mirrors.resolve(path.parent / "nowhere.git", "main") is None


def test_rev_list_functions_take_only_shas(tmp_path):
    with pytest.raises(ValueError):
        mirrors.rev_count(tmp_path, "main")
    with pytest.raises(ValueError):
        mirrors.rev_page(tmp_path, "a" * 40, exclude=["--all"], count=5)


@pytest.mark.django_db
def test_the_reference_is_checked_outside_the_transaction(history, increment_of, monkeypatch):
    """git runs in every mirror: no database transaction may be open meanwhile."""
    from django.db import connection

    from integrations.selectors import repositories as selectors

    outside = len(connection.atomic_blocks)  # the test's own transaction
    seen = []
    checked = selectors.git_ref_problem

    def spy(product, ref):
        seen.append(len(connection.atomic_blocks))
        return checked(product, ref)

    monkeypatch.setattr(selectors, "git_ref_problem", spy)
    increment_of("1.0", git_ref="v1")
    with pytest.raises(DomainError) as caught:
        increment_of("1.1", git_ref="v404")
    assert caught.value.field == "git_ref"
    assert seen == [outside, outside]


# --- The acceptance page's live part runs no git ---------------------------------------------
@pytest.mark.django_db
def test_live_acceptance_refresh_leaves_the_commits_alone(
    client, history, product, product_owner, tester, monkeypatch
):
    item = history["item"]
    BacklogItem.objects.filter(pk=item.pk).update(status=ItemStatus.DONE)
    increment = sprints_services.create_increment(
        actor=product_owner, product=product, version="1.0", items=[item], git_ref="main"
    )
    sprints_services.submit_increment(
        actor=product_owner,
        increment=increment,
        deadline=timezone.localdate() + timezone.timedelta(days=3),
        testers=[tester],
    )
    client.force_login(tester)
    kwargs = {"product_id": product.pk, "increment_id": increment.pk}
    html = client.get(
        reverse("sprints:acceptance", kwargs=kwargs), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    live = html.index('id="acceptance-live"')
    section = html.index(f'id="increment-{increment.pk}-commits"')
    # After the live region closes: its last verdict entry comes before the section.
    assert section > live
    assert "</div>" in html[live:section]
    assert 'id="acceptance-live"' not in html[section:]

    def no_git(*args, **kwargs):
        raise AssertionError("the live refresh ran git")

    monkeypatch.setattr(mirrors, "rev_count", no_git)
    monkeypatch.setattr(mirrors, "rev_page", no_git)
    monkeypatch.setattr(mirrors, "resolve", no_git)
    fragment = client.get(
        reverse("sprints:acceptance_entries", kwargs=kwargs), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert 'id="increment-facts"' in text
    assert "-commits" not in text and "data-sha" not in text


# --- Long histories: git counts and pages ----------------------------------------------------
def _shas_in(queries) -> set:
    import re

    return {sha for q in queries for sha in re.findall(r"[0-9a-f]{40}", q["sql"])}


@pytest.fixture
def long_history(work, product, product_owner):
    """3000 commits a second apart ("Change 0" … "Change 2999"); v1 on "Change 1999"."""
    work.many(3000)
    work.repo.create_tag("v1", ref="HEAD~1000")
    repository = link_and_sync(product, product_owner, work.path)
    assert repository.commits.count() == 3000
    return repository


@pytest.mark.django_db
def test_a_long_history_is_counted_and_paged_by_git(
    long_history, product_owner, developer, increment_of
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from integrations.selectors.repositories import (
        commits_since_previous_increment,
        increment_commits,
    )

    first = increment_of("1.0", git_ref="v1")
    later = increment_of("1.1", git_ref="main")

    with CaptureQueriesContext(connection) as queries:
        whole = commits_since_previous_increment(first)
        assert whole.count() == 2000  # no earlier reference: the history up to v1
        since = commits_since_previous_increment(later)
        assert since.count() == 1000
    assert not _shas_in(queries)  # counted without a SHA reaching the database

    with CaptureQueriesContext(connection) as queries:
        report = increment_commits(later, limit=10)
    assert report.total == 1000 and report.more == 990
    assert [c.message for c in report.commits] == [f"Change {n}" for n in range(2999, 2989, -1)]
    assert _shas_in(queries) == {c.sha for c in report.commits}

    client = as_(developer)
    url = f"/api/v1/increments/{later.pk}/commits/"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page": 2, "page_size": 25})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1000
    assert body["previous"] and "page_size=25" in body["previous"]
    assert body["next"] and "page=3" in body["next"]
    assert [c["message"] for c in body["results"]] == [f"Change {n}" for n in range(2974, 2949, -1)]
    # Only the page's 25 SHAs were asked of the database, not the 1000 since v1.
    assert _shas_in(queries) == {c["sha"] for c in body["results"]}

    last = client.get(url, {"page": 40, "page_size": 25}).json()
    assert last["next"] is None
    assert [c["message"] for c in last["results"]][-1] == "Change 2000"  # v1's child
    assert client.get(url, {"page": 41, "page_size": 25}).status_code == 404

    whole_page = client.get(f"/api/v1/increments/{first.pk}/commits/", {"page": 80}).json()
    assert whole_page["count"] == 2000
    assert [c["message"] for c in whole_page["results"]][-1] == "Change 0"


def _import(work, branch, stamps, label):
    """Commits on `branch` with the given commit times (a Unix timestamp each), oldest first."""
    import subprocess

    lines = []
    for n, stamp in enumerate(stamps):
        msg = f"{label} {n}"
        lines.append(f"commit refs/heads/{branch}\n")
        lines.append(f"committer Dani <dani@example.org> {stamp} +0000\n")
        lines.append(f"data {len(msg)}\n{msg}\n\n")
    subprocess.run(
        ["git", "fast-import", "--quiet"],
        cwd=work.path,
        input="".join(lines).encode(),
        check=True,
    )


@pytest.mark.django_db
def test_pages_merge_several_repositories_newest_first(
    product, product_owner, developer, increment_of, tmp_path
):
    repos = [WorkRepo(tmp_path / "a"), WorkRepo(tmp_path / "b")]
    try:
        # a: even seconds, b: odd ones; together one commit a second, alternating.
        _import(repos[0], "main", [1700000000 + 2 * n for n in range(20)], "A")
        _import(repos[1], "main", [1700000001 + 2 * n for n in range(20)], "B")
        for work in repos:
            link_and_sync(product, product_owner, work.path)
    finally:
        for work in repos:
            work.close()
    increment = increment_of("1.0", git_ref="main")
    expected = [f"{label} {n}" for n in range(19, -1, -1) for label in ("B", "A")]
    client = as_(developer)
    url = f"/api/v1/increments/{increment.pk}/commits/"
    seen = []
    for page in range(1, 7):
        body = client.get(url, {"page": page, "page_size": 7}).json()
        assert body["count"] == 40
        seen += [c["message"] for c in body["results"]]
    assert seen == expected
