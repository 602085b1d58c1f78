"""The forms of the people pages, one module per page family (as `people.views`). They read and
check input; the services change state."""
