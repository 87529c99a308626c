// nginx.conf for the lab: the scenarios live in it (8443 rejects every handshake,
// mismatch.test is served other.test's certificate), and every path nginx writes is in
// the state directory so `lab down` leaves nothing.
#include "lab/nginx_config.hpp"

#include <gtest/gtest.h>

namespace sniprobe::lab {
namespace {

Pki fake_pki() {
    Pki pki;
    pki.ca_file = "/s/pki/ca.pem";
    for (const auto& spec : lab_leaf_specs())
        pki.leaves.push_back({spec.dns_name, "/s/pki/" + spec.dns_name + ".pem",
                              "/s/pki/" + spec.dns_name + ".key"});
    return pki;
}

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

TEST(NginxConfig, ServesEveryScenario) {
    auto conf = render_nginx_conf("/s", fake_pki());
    ASSERT_TRUE(conf) << conf.error().message;
    EXPECT_TRUE(
        contains(*conf,
                 "listen 8443 ssl default_server;\n        listen [::]:8443 ssl default_server;\n"
                 "        ssl_reject_handshake on;"));
    EXPECT_TRUE(contains(*conf, "listen 80 default_server;"));
    EXPECT_TRUE(
        contains(*conf,
                 "listen 443 ssl default_server;\n        listen [::]:443 ssl default_server;\n"
                 "        server_name default.test;"));
    EXPECT_TRUE(contains(
        *conf, "server_name mismatch.test;\n        ssl_certificate /s/pki/other.test.pem;"));
    EXPECT_TRUE(
        contains(*conf, "server_name chain.test;\n        ssl_certificate /s/pki/chain.test.pem;"));
    for (const char* name : {"ok.test", "blocked.test", "expired.test"})
        EXPECT_TRUE(contains(*conf, std::string("server_name ") + name + ";")) << name;
    EXPECT_FALSE(contains(*conf, "daemon"));  // given as -g 'daemon off;'
}

TEST(NginxConfig, NoStreamFrontWithoutLimitConn) {
    auto conf = render_nginx_conf("/s", fake_pki());
    ASSERT_TRUE(conf);
    EXPECT_FALSE(contains(*conf, "stream {"));
    EXPECT_FALSE(contains(*conf, "load_module"));
}

TEST(NginxConfig, LimitConnPutsAStreamFrontOn443) {
    // http's limit_conn counts requests, after the TLS handshake; the stream module's
    // counts connections right after accept, so a busy server refuses handshakes.
    auto conf = render_nginx_conf("/s", fake_pki(), 8);
    ASSERT_TRUE(conf) << conf.error().message;
    EXPECT_EQ(conf->rfind("load_module /usr/lib/nginx/modules/ngx_stream_module.so;\n", 0), 0u);
    EXPECT_TRUE(
        contains(*conf, "limit_conn_zone $binary_remote_addr zone=sniprobe_per_client:1m;"));
    EXPECT_TRUE(contains(*conf,
                         "        listen 443;\n        listen [::]:443;\n"
                         "        limit_conn sniprobe_per_client 8;\n"
                         "        proxy_pass unix:/s/nginx-tls.sock;"));
    EXPECT_TRUE(contains(*conf,
                         "listen unix:/s/nginx-tls.sock ssl default_server;\n"
                         "        server_name default.test;"));
    EXPECT_TRUE(contains(*conf,
                         "listen unix:/s/nginx-tls.sock ssl;\n"
                         "        server_name blocked.test;"));
    EXPECT_FALSE(contains(*conf, "listen 443 ssl"));           // 443 is the stream front's alone
    EXPECT_TRUE(contains(*conf, "ssl_reject_handshake on;"));  // 8443 and 80 unchanged
    EXPECT_TRUE(contains(*conf, "listen 80 default_server;"));
}

TEST(NginxConfig, WritesOnlyIntoTheStateDirectory) {
    auto conf = render_nginx_conf("/s", fake_pki());
    ASSERT_TRUE(conf);
    EXPECT_TRUE(contains(*conf, "pid /s/nginx.pid;"));
    EXPECT_TRUE(contains(*conf, "error_log /s/nginx-error.log info;"));
    EXPECT_TRUE(contains(*conf, "access_log /s/nginx-access.log;"));
    EXPECT_TRUE(contains(*conf, "client_body_temp_path /s/nginx-temp/body;"));
    EXPECT_FALSE(contains(*conf, "/var/"));
}

TEST(NginxConfig, FailsWithoutANeededCertificate) {
    Pki pki = fake_pki();
    pki.leaves.pop_back();  // other.test
    auto conf = render_nginx_conf("/s", pki);
    ASSERT_FALSE(conf);
    EXPECT_NE(conf.error().message.find("other.test"), std::string::npos);
}

}  // namespace
}  // namespace sniprobe::lab
