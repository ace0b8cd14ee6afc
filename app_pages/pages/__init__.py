"""The app's pages, one script each, run by `st.navigation` (`app.py`); the table of pages is
`app_pages.registry`. Each script reads its context with `app_pages.page_context.current()`."""
