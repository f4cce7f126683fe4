/* sandbox.h - starts `python -m audkit.sandbox` for loopback tests and talks to its control API. */
#ifndef AUDKIT_TEST_SANDBOX_H
#define AUDKIT_TEST_SANDBOX_H

#include "harness.h"

#include <curl/curl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct sandbox {
    pid_t pid;
    cJSON *info; /* the JSON line it printed */
    char url[256];
} sandbox;

static inline int sandbox_start(sandbox *sb) {
    int fds[2];
    memset(sb, 0, sizeof *sb);
    if (pipe(fds) != 0)
        return -1;
    const char *py = getenv("AUDKIT_PYTHON");
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execlp(py && *py ? py : "python3", "python3", "-m", "audkit.sandbox", "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    sb->pid = pid;
    char line[8192];
    size_t n = 0;
    struct pollfd pfd = {fds[0], POLLIN, 0};
    while (n < sizeof line - 1) {
        if (poll(&pfd, 1, 20000) <= 0)
            break; /* bounded wait */
        ssize_t r = read(fds[0], line + n, 1);
        if (r <= 0 || line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    close(fds[0]);
    sb->info = cJSON_Parse(line);
    cJSON *url = cJSON_GetObjectItem(sb->info, "url");
    if (!cJSON_IsString(url)) {
        fprintf(stderr, "sandbox did not start: '%s'\n", line);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    snprintf(sb->url, sizeof sb->url, "%s", url->valuestring);
    return 0;
}

static inline void sandbox_stop(sandbox *sb) {
    if (sb->pid > 0) {
        kill(sb->pid, SIGTERM);
        for (int i = 0; i < 100; i++) { /* up to 5 s, then kill */
            if (waitpid(sb->pid, NULL, WNOHANG) == sb->pid) {
                sb->pid = 0;
                break;
            }
            struct timespec ts = {0, 50000000L};
            nanosleep(&ts, NULL);
        }
        if (sb->pid > 0) {
            kill(sb->pid, SIGKILL);
            waitpid(sb->pid, NULL, 0);
        }
    }
    cJSON_Delete(sb->info);
    sb->info = NULL;
}

static size_t sb_write(char *p, size_t s, size_t n, void *ud) {
    char **out = ud;
    size_t old = *out ? strlen(*out) : 0;
    char *q = realloc(*out, old + s * n + 1);
    if (!q)
        return 0;
    memcpy(q + old, p, s * n);
    q[old + s * n] = '\0';
    *out = q;
    return s * n;
}

/* Calls a control endpoint; returns the parsed JSON response (owned) or NULL. */
static inline cJSON *sandbox_control(sandbox *sb, const char *method, const char *path, const char *body) {
    CURL *e = curl_easy_init();
    char url[512], *out = NULL;
    snprintf(url, sizeof url, "%s/_sandbox/%s", sb->url, path);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sb_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 20L);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    if (body)
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_perform(e);
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    cJSON *j = out ? cJSON_Parse(out) : NULL;
    free(out);
    return j;
}

/* Client config for a vendor pointed at the sandbox (owned). */
static inline cJSON *sandbox_config(sandbox *sb, const char *vendor) {
    cJSON *cfg = cJSON_Duplicate(cJSON_GetObjectItem(cJSON_GetObjectItem(sb->info, "credentials"), vendor), 1);
    cJSON *base = cJSON_GetObjectItem(cJSON_GetObjectItem(sb->info, "base_urls"), vendor);
    cJSON_AddStringToObject(cfg, "base_url", base->valuestring);
    cJSON_AddNumberToObject(cfg, "backoff_ms", 5);
    return cfg;
}

static inline int sandbox_request_count(sandbox *sb, const char *vendor) {
    char path[128];
    snprintf(path, sizeof path, "requests?vendor=%s", vendor);
    cJSON *r = sandbox_control(sb, "GET", path, NULL);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(r, "requests"));
    cJSON_Delete(r);
    return n;
}

#endif
