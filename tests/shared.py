"""One world per module instead of one per test, for modules whose every test builds the same.

A permission matrix runs hundreds of tests on one world (a cooperative, its members, a product
and its team), and building it through the services takes ~0.3-1 s a test: most of such a
module's time. `share_per_module(globals(), "cooperative_world", ...)` builds the named fixtures
and everything they depend on once, inside the module's transaction (`module_db`), with the same
fixture functions the tests would otherwise run; each test then gets a deep copy of them (as
Django's `TestCase.setUpTestData` does), so what one test changes in memory no other sees, and
runs in a savepoint of its own that is rolled back, so what it writes no other sees either.

A fixture of the module itself may be shared too (call `share_per_module` below it), and a
world fixture may ask `request.getfixturevalue()` for another (as `people_for` does).

Use it only in a module whose every test would build that same world: the world is made for
every test of the module (autouse), so a test that asked for less would see more than it asked
for. Only the database is shared; the world's fixtures must not depend on anything else a test
sets up (`settings`, `mailoutbox`, `tmp_path`, a `request.param`): building one that does fails.
"""

import copy
import inspect

import pytest

# Fixtures the world's fixtures may depend on that are not part of the world itself.
_DATABASE = {"db", "django_db_setup", "django_db_blocker"}


def share_per_module(namespace: dict, *names: str) -> None:
    """Define, in the module whose `globals()` are `namespace`, module-shared versions of the
    fixtures `names` and of every function-scoped fixture they depend on."""

    @pytest.fixture(scope="module", autouse=True, name="_shared_world")
    def shared_world(request, module_db):
        return _build(request, names)

    @pytest.fixture(name="_shared_world_copy")
    def shared_world_copy(_shared_world, db):
        # One memo for the whole world: an object reached through two fixtures stays one.
        return copy.deepcopy(_shared_world)

    namespace["_shared_world_fixture"] = shared_world
    namespace["_shared_world_copy_fixture"] = shared_world_copy
    # The module's own fixtures among `names` (call this below them, or below importing them)
    # are replaced by the shared ones, under the same name, so that pytest sees one fixture of
    # that name and a module importing it gets the shared one; the world is built with the
    # original (which a shared one imported from another module remembers).
    local = _LOCAL.setdefault(namespace["__name__"], {})
    for name in names:
        if getattr(namespace.get(name), "_fixture_function_marker", None) is not None:
            function = namespace[name]._get_wrapped_function()
            local[name] = getattr(function, "_shared_original", None) or function
    # Every world fixture is overridden here, not just those the world is built from: a test
    # that asked for one directly must get the world's (or fail saying it is not in it), never
    # build a second beside it.
    shared = _SHARED[namespace["__name__"]] = {*_world_fixture_names(), *names}
    for name in shared:
        attribute = name if name in local else f"_shared_fixture_{name}"
        namespace[attribute] = _from_copy(name, local.get(name))


# Module name -> the names its tests get from the shared world.
_SHARED: dict[str, set[str]] = {}
# Module name -> the module's own fixtures that are part of its shared world, by name.
_LOCAL: dict[str, dict] = {}


class _Request:
    """What a world fixture may ask of `request`: other fixtures, by name (`people_for`)."""

    def __init__(self, getfixturevalue):
        self.getfixturevalue = getfixturevalue


def _from_copy(name, original=None):
    def from_copy(_shared_world_copy):
        if name not in _shared_world_copy:
            raise LookupError(f"{name!r} is not in this module's shared world (share_per_module)")
        return _shared_world_copy[name]

    from_copy._shared_world = True  # type: ignore[attr-defined]
    from_copy._shared_original = original  # type: ignore[attr-defined]
    return pytest.fixture(name=name)(from_copy)


def _world_fixture_names():
    """The fixtures of the shared worlds (`pytest_plugins` in tests/conftest.py)."""
    import importlib

    from tests.conftest import pytest_plugins

    names = set()
    for plugin in pytest_plugins:
        for value in vars(importlib.import_module(plugin)).values():
            marker = getattr(value, "_fixture_function_marker", None)
            if marker is not None:
                names.add(marker.name or value.name)
    return names


def _build(request, names):
    """Run the fixtures `names` and their function-scoped dependencies, once, as pytest would
    for a test, and return them by name."""
    manager = request._fixturemanager
    node = request.node
    local = _LOCAL.get(node.module.__name__, {})
    values: dict = {}

    def value(name):
        if name in values:
            return values[name]
        if name in _DATABASE:
            return None
        if name == "request":
            return _Request(value)
        if name == "django_user_model":
            from django.contrib.auth import get_user_model

            values[name] = get_user_model()
            return values[name]
        function = local.get(name)
        if function is None:
            definitions = [
                definition
                for definition in manager.getfixturedefs(name, node) or ()
                if not getattr(definition.func, "_shared_world", False)
            ]
            if not definitions:
                raise LookupError(f"no fixture {name!r} to share")
            definition = definitions[-1]
            if definition.scope != "function" or definition.params:
                raise TypeError(f"{name!r} cannot be shared: only plain function fixtures can")
            function = definition.func
        arguments = inspect.signature(function).parameters
        result = function(**{argument: value(argument) for argument in arguments})
        if inspect.isgenerator(result):
            raise TypeError(f"{name!r} cannot be shared: it has a teardown")
        values[name] = result
        return result

    for name in names:
        value(name)
    # A fixture the world needed that tests would still build for themselves (one of the
    # module's own, not named) would exist twice: once in the world, once per test.
    unshared = set(values) - _SHARED[node.module.__name__] - {"django_user_model"}
    if unshared:
        raise TypeError(f"share these too, or the tests build them again: {sorted(unshared)}")
    return values


def unshared(fixture):
    """The fixture a module shared, as it was (for another module whose tests build their own):
    `world = unshared(test_pages.world)`."""
    function = fixture._get_wrapped_function()
    original = getattr(function, "_shared_original", None) or function
    return pytest.fixture(name=fixture.name)(original)
