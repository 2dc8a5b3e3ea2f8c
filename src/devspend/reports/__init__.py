"""One view per page family: validated filters in, a typed result out, figures named as in
the money vocabulary (``docs/money.md``).

Every face renders these results and none computes its own figures: the web page, its
``/api/v1`` JSON twin and ``.csv`` download (``devspend.web.pages``) and the CLI's
``devspend report …`` (``devspend.cli.report``). Views read through ``store/`` only and
never write.
"""
