"""The app's texts in German and English, one module per page or area; `app_pages.i18n` joins and serves them."""
