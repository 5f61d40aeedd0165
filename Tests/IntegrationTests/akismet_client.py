"""Drives moderatod's Akismet-compatible endpoint with the unmodified `akismet` client from PyPI.

The client always talks to https://rest.akismet.com; an httpx transport sends its requests to the
Moderato daemon on 127.0.0.1 instead, which is how a site points an existing plugin at Moderato.
Prints one JSON object with what each call returned."""
import json, sys

import akismet
import httpx

port, token = int(sys.argv[1]), sys.argv[2]


class ToModerato(httpx.BaseTransport):
    def __init__(self):
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request):
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=port)
        return self.inner.handle_request(request)


def client(key):
    return akismet.SyncClient(config=akismet.Config(key=key, url="https://news.example.org/"),
                              http_client=httpx.Client(transport=ToModerato()))


results = {}
good = client(token)
results["verify_good"] = good.verify_key()
results["verify_bad"] = client("not-a-key").verify_key()
results["clean"] = int(good.comment_check(
    user_ip="203.0.113.5", comment_type="comment", comment_author="Ann Reader",
    comment_content="Good to see the harbour wall repaired at last.", permalink="https://news.example.org/harbour"))
results["spam"] = int(good.comment_check(
    user_ip="198.51.100.7", comment_type="comment", comment_author="Promo",
    comment_content="Check out my channel! Earn $500 a day at our online casino with free spins",
    permalink="https://news.example.org/harbour"))
# A filled honeypot field is blatant spam; the field itself is not one of the client's known arguments,
# so this one goes as a raw form post, as a plugin would send it.
raw = httpx.post(f"http://127.0.0.1:{port}/1.1/comment-check", data={
    "api_key": token, "blog": "https://news.example.org/", "user_ip": "198.51.100.8", "comment_author": "Bot",
    "comment_content": "Hello there", "honeypot_field_name": "website_url", "website_url": "http://bot.example"})
results["blatant"] = [raw.text, raw.headers.get("X-akismet-pro-tip")]
results["submit_spam"] = good.submit_spam(
    user_ip="203.0.113.5", comment_type="comment", comment_author="Ann Reader",
    comment_content="Good to see the harbour wall repaired at last.", permalink="https://news.example.org/harbour")
results["submit_ham"] = good.submit_ham(
    user_ip="198.51.100.9", comment_type="comment", comment_author="Never Checked",
    comment_content="A comment the site never checked, marked as ham.", permalink="https://news.example.org/other")
try:
    client("not-a-key").comment_check(user_ip="203.0.113.5", comment_content="hi")
    results["bad_key_error"] = None
except akismet.APIKeyError as error:
    results["bad_key_error"] = type(error).__name__
missing = httpx.post(f"http://127.0.0.1:{port}/1.1/comment-check", data={"api_key": token, "user_ip": "203.0.113.5"})
results["missing_blog"] = [missing.text, missing.headers.get("X-akismet-debug-help")]
missing = httpx.post(f"http://127.0.0.1:{port}/1.1/comment-check", data={"api_key": token, "blog": "https://news.example.org/"})
results["missing_ip"] = [missing.text, missing.headers.get("X-akismet-debug-help")]
usage = httpx.get(f"http://127.0.0.1:{port}/1.2/usage-limit", params={"api_key": token})
results["usage"] = usage.json()
print(json.dumps(results))
