#!/usr/bin/python3
"""A legacy publisher written as the original pub_kraken_EURUSD.py is: a
pyzmq PUB socket, one frame per quote made with send_string("%s %s" %
(topic, fields)), the nine S2 fields joined by SOH, numbers as Python's
str(float), t0 the previous quote (reference 4.2).  For the side-by-side
tests (tests/integration/legacy_side_by_side.sh).

    legacy_pub.py ENDPOINT N SUBSCRIBERS SENT_FILE

Binds ENDPOINT, waits (at most 30 s) until SUBSCRIBERS peers have connected
and a second more for their subscriptions to arrive, then sends the first N
quotes of QUOTES, once each, writes every frame it sent to SENT_FILE (one a
line), waits 2 s for the frames to leave, and exits.
"""
import sys
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

topic = "kr_eurusd_tick"

# A fixed list: (instrument, synthetic bid, synthetic ask), as the original
# computed them from Kraken's legs.
PAIRS = ["XXBTZEUR", "XETHZUSD", "XZECZUSD", "BCHEUR", "XXRPZUSD"]
QUOTES = [(PAIRS[i % len(PAIRS)], round(1.15956 + (i % 7) * 0.00013, 5),
           round(1.16688 + (i % 11) * 0.00011, 5)) for i in range(1000)]


def wait_for_subscribers(socket, n):
    monitor = socket.get_monitor_socket(zmq.EVENT_ACCEPTED)
    deadline = time.time() + 30
    accepted = 0
    while accepted < n and time.time() < deadline:
        if monitor.poll(100):
            if recv_monitor_message(monitor)["event"] == zmq.EVENT_ACCEPTED:
                accepted += 1
    socket.disable_monitor()
    monitor.close()
    if accepted < n:
        sys.exit("legacy_pub: %d of %d subscribers connected" % (accepted, n))
    time.sleep(1)


def main():
    endpoint, n, subscribers, sent_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    context = zmq.Context()
    socket = context.socket(zmq.PUB)
    socket.setsockopt(zmq.SNDBUF, 10240)
    socket.setsockopt(zmq.SNDHWM, 10000)
    socket.bind(endpoint)
    wait_for_subscribers(socket, subscribers)

    instrument_t0 = ""
    kraken_EURUSD_BID_5_t1, kraken_EURUSD_ASK_5_t1 = 1.1, 1.2
    with open(sent_file, "w") as sent:
        for instrument, bid, ask in QUOTES[:n]:
            kraken_EURUSD_BID_5_t0, kraken_EURUSD_ASK_5_t0 = kraken_EURUSD_BID_5_t1, kraken_EURUSD_ASK_5_t1
            kraken_EURUSD_BID_5_t1, kraken_EURUSD_ASK_5_t1 = round(bid, 5), round(ask, 5)
            spread = kraken_EURUSD_ASK_5_t1 - kraken_EURUSD_BID_5_t1
            spread_t_ask = kraken_EURUSD_ASK_5_t1 - kraken_EURUSD_BID_5_t0
            spread_t_bid = kraken_EURUSD_ASK_5_t0 - kraken_EURUSD_BID_5_t1
            messagedata = (instrument_t0 + "\x01" + str(kraken_EURUSD_BID_5_t0) + "\x01" +
                           str(kraken_EURUSD_ASK_5_t0) + "\x01" + instrument + "\x01" +
                           str(float(kraken_EURUSD_BID_5_t1)) + "\x01" + str(float(kraken_EURUSD_ASK_5_t1)) +
                           "\x01" + str(round(spread, 5)) + "\x01" + str(round(spread_t_bid, 5)) + "\x01" +
                           str(round(spread_t_ask, 5)))
            socket.send_string("%s %s" % (topic, messagedata))
            sent.write("%s %s\n" % (topic, messagedata))
            instrument_t0 = instrument
    time.sleep(2)
    socket.close(linger=1000)
    context.term()


if __name__ == "__main__":
    main()
