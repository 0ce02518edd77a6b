/* The C floor of issue 18: the least a Telegram bot can be with Debian's libcurl. Long-polls getUpdates;
 * for each text message asks chat/completions once and sends the answer with sendMessage. No JSON library:
 * the fakes' answers are parsed with strstr. Usage: floor TELEGRAM_BASE TOKEN OPENAI_BASE API_KEY */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[1 << 16];
static size_t len;
static size_t take(char *p, size_t s, size_t n, void *u) {
    size_t k = s * n < sizeof buf - 1 - len ? s * n : sizeof buf - 1 - len;
    memcpy(buf + len, p, k); len += k; buf[len] = 0; (void)u; return s * n;
}
static int call(CURL *c, const char *url, const char *body, struct curl_slist *h) {
    len = 0; buf[0] = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    else curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    return curl_easy_perform(c) == CURLE_OK;
}
int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: floor TELEGRAM_BASE TOKEN OPENAI_BASE API_KEY\n"); return 2; }
    char url[1024], body[1024], auth[512], text[256], *p;
    long long offset = 0, chat;
    CURL *c = curl_easy_init();
    struct curl_slist *json = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", argv[4]);
    struct curl_slist *llm = curl_slist_append(curl_slist_append(NULL, "Content-Type: application/json"), auth);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 45L);
    for (;;) {
        snprintf(url, sizeof url, "%s/bot%s/getUpdates?offset=%lld&timeout=30", argv[1], argv[2], offset);
        if (!call(c, url, NULL, NULL)) { usleep(50000); continue; }
        char updates[sizeof buf];
        memcpy(updates, buf, len + 1);
        for (p = updates; (p = strstr(p, "\"update_id\":")); p += 12)
            if (atoll(p + 12) >= offset) offset = atoll(p + 12) + 1;
        for (p = updates; (p = strstr(p, "\"chat\":{")) && (p = strstr(p, "\"id\":")); p += 5) {
            chat = atoll(p + 5);
            snprintf(url, sizeof url, "%s/chat/completions", argv[3]);
            call(c, url, "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", llm);
            char *content = strstr(buf, "\"content\":\"");
            snprintf(text, sizeof text, "%.*s", content ? (int)strcspn(content + 11, "\"") : 0, content ? content + 11 : "");
            snprintf(url, sizeof url, "%s/bot%s/sendMessage", argv[1], argv[2]);
            snprintf(body, sizeof body, "{\"chat_id\":%lld,\"text\":\"%s\"}", chat, text);
            call(c, url, body, json);
        }
    }
}
