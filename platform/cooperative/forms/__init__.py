"""The forms of the cooperative pages, one module per page family. They read and check input;
the services change state."""
