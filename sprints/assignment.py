"""How a person reads on a backlog item (issue 15): the name and the two initials of its
avatar, and the assignee as the API and the live events give it.

Its own module so the board, the pages, the API and the templates show a person one way.
Who may be assigned is `selectors.assignable_people`; giving an item to someone is
`services.assign_item` (sprints/services/assignment.py).
"""


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


def initials(user) -> str:
    """Two letters for a person's avatar: first name and the last word of the surname, so
    "Jan de Vries" is JV (a Dutch surname prefix such as "de" or "van der" is skipped)."""
    first = (user.first_name or "").strip()
    last = (user.last_name or "").split()
    letters = (first[:1] + (last[-1][:1] if last else "")).upper()
    if len(letters) == 2:
        return letters
    name = (first or " ".join(last) or user.get_username()).replace(".", " ").split()
    if len(name) > 1:
        return (name[0][:1] + name[-1][:1]).upper()
    return (name[0][:2] if name else "?").upper()


def person_ref(user) -> dict | None:
    """How an item shows its assignee in the API and the live events."""
    if user is None:
        return None
    return {"id": user.pk, "name": person_name(user), "initials": initials(user)}
