"""Nothing lost when the mail server is down (issue #12, "Nothing lost").

Real SMTP over loopback against tiny fake servers: one port that refuses
connections, one server that accepts and never answers, and one that
receives mail. The contact form saves the ticket at once, the request
returns quickly, the e-mail waits in the outbox and goes out when the
server is back.
"""

import socket
import socketserver
import threading
import time
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.urls import reverse

from channels.models import OutboundEmail, Ticket
from channels.tickets import services
from tests.channels.conftest import contact_data

EMAIL_TIMEOUT = 2  # seconds; the setting under test, kept short
# Time a request may take besides waiting on the mail server (the machine
# is shared; the first request also compiles templates).
SLACK = 3


class _Receiving(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: every command gets 250."""

    def handle(self):
        self.wfile.write(b"220 fake ESMTP\r\n")
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command.startswith(b"DATA"):
                self.wfile.write(b"354 go ahead\r\n")
                data = b"".join(iter(self.rfile.readline, b".\r\n"))
                self.server.messages.append(data.decode("utf-8", "replace"))
                self.wfile.write(b"250 queued\r\n")
            elif command.startswith(b"QUIT"):
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


class _Hanging(socketserver.BaseRequestHandler):
    """Accepts the connection, then says nothing until the client gives up."""

    def handle(self):
        self.request.settimeout(EMAIL_TIMEOUT * 5)
        try:
            self.request.recv(1)
        except OSError:
            pass


@contextmanager
def _smtp_server(handler):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _refusing_port() -> tuple[socket.socket, int]:
    # Bound but never listening: connecting is refused at once.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock, sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_TIMEOUT = EMAIL_TIMEOUT

    def point_at(port):
        settings.EMAIL_PORT = port

    return point_at


def _timed_submit(client, topic, number):
    client.get(reverse("channels:contact"))  # templates compiled, not timed
    data = contact_data(
        topic, email=f"outage{number}@example.com", subject=f"Outage {number}"
    )
    began = time.monotonic()
    response = client.post(reverse("channels:contact"), data)
    elapsed = time.monotonic() - began
    assert response.status_code == 302, response.content[:500]
    assert Ticket.objects.filter(submission_key=data["submission_key"]).count() == 1
    return elapsed


def _server_back_delivers_everything(smtp):
    with _smtp_server(_Receiving) as receiving:
        smtp(receiving.server_address[1])
        call_command("send_pending_email", "--all")
        delivered = receiving.messages
    assert OutboundEmail.objects.pending().count() == 0
    assert OutboundEmail.objects.count() == Ticket.objects.count() == 2
    for ticket in Ticket.objects.all():
        [message] = [text for text in delivered if f"To: {ticket.email}" in text]
        assert ticket.reference in message


def test_mail_server_refusing_keeps_ticket_and_sends_later(client, topics, smtp):
    topic = next(iter(topics.values()))
    sock, port = _refusing_port()
    with sock:
        smtp(port)
        first = _timed_submit(client, topic, 1)
        second = _timed_submit(client, topic, 2)
    assert first < SLACK and second < SLACK
    tried, paused = OutboundEmail.objects.order_by("created_at")
    assert (tried.status, tried.attempts) == (OutboundEmail.Status.PENDING, 1)
    assert "ConnectionRefusedError" in tried.last_error
    assert tried.next_attempt_at is not None
    # The failure paused sends from requests: the second only waits.
    assert (paused.status, paused.attempts) == (OutboundEmail.Status.PENDING, 0)
    _server_back_delivers_everything(smtp)


def test_mail_server_hanging_costs_one_timeout_then_none(client, topics, smtp):
    topic = next(iter(topics.values()))
    with _smtp_server(_Hanging) as hanging:
        smtp(hanging.server_address[1])
        first = _timed_submit(client, topic, 1)
        second = _timed_submit(client, topic, 2)
    assert EMAIL_TIMEOUT <= first < EMAIL_TIMEOUT + SLACK
    assert second < EMAIL_TIMEOUT
    tried = OutboundEmail.objects.get(attempts=1)
    assert "timed out" in tried.last_error
    assert OutboundEmail.objects.pending().count() == 2
    _server_back_delivers_everything(smtp)


def test_outbox_run_waits_for_backoff_and_stops_on_a_dead_server(topics, smtp):
    topic = next(iter(topics.values()))
    sock, port = _refusing_port()
    with sock:
        smtp(port)
        for number in range(5):
            services.ticket_create(
                topic=topic,
                email=f"queue{number}@example.com",
                subject="Queued",
                message="Please help with my account settings.",
                language="en",
                submission_key=f"{number:032x}",
            )
        # The first failure paused requests: four never tried.
        assert OutboundEmail.objects.filter(attempts=0).count() == 4
        assert services.email_send_pending() == (0, services.EMAIL_RUN_MAX_FAILURES)
    first_failed = OutboundEmail.objects.order_by("created_at").first()
    with _smtp_server(_Receiving) as receiving:
        smtp(receiving.server_address[1])
        # Those that failed wait out their backoff; the others go now.
        assert services.email_send_pending() == (1, 0)
        later = max(
            OutboundEmail.objects.pending().values_list("next_attempt_at", flat=True)
        )
        assert services.email_send_pending(now=later) == (4, 0)
    assert len(receiving.messages) == 5
    first_failed.refresh_from_db()
    assert first_failed.status == OutboundEmail.Status.SENT
