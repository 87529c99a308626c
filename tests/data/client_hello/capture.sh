#!/usr/bin/env bash
# Regenerates the ClientHello fixtures from real clients on this machine (see README.txt).
set -euo pipefail
cd "$(dirname "$0")"
cap=./capture.py
$cap openssl_sni.bin -- openssl s_client -connect 127.0.0.1:{port} -servername blocked.test
$cap openssl_no_sni.bin -- openssl s_client -connect 127.0.0.1:{port} -noservername
$cap openssl_groups.bin -- openssl s_client -connect 127.0.0.1:{port} -servername blocked.test -groups X25519:P-256
$cap openssl_tls12.bin -- openssl s_client -connect 127.0.0.1:{port} -servername blocked.test -tls1_2
$cap curl_h2.bin -- curl -sk --max-time 5 https://blocked.test:{port}/ --resolve blocked.test:{port}:127.0.0.1
$cap curl_http11.bin -- curl -sk --max-time 5 --http1.1 https://blocked.test:{port}/ --resolve blocked.test:{port}:127.0.0.1
# A real hello split by OpenSSL itself across two TLS records: a long ALPN list grows it
# past 512 bytes and -max_send_frag 512 caps the record size.
alpn="h2,http/1.1,$(python3 -c 'print(",".join("proto-%02d-%s" % (i, "x" * 20) for i in range(12)))')"
$cap openssl_two_records.bin -- openssl s_client -connect 127.0.0.1:{port} -servername blocked.test -max_send_frag 512 -alpn "$alpn"
