"""Helpers of the Streamlit app (app.py): labels in German and English, and the plain-words texts.

No Streamlit here: every function is plain Python over the library's tables, so it is tested directly.
"""
