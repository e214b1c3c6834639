"""Certificates (giấy chứng nhận) for contest results."""
