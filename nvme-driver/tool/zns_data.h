/* SPDX-License-Identifier: MIT */
/*
 * zns_data.h - data in and out of the `zns` tool: files or stdin/stdout.
 */
#ifndef ZNS_DATA_H
#define ZNS_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Buffers are page-aligned, as direct I/O and passthrough prefer. */
#define ZNS_DATA_ALIGN_BYTES 4096u

/**
 * zns_data_read() - read the input of append or write.
 * @path:       file, or NULL or "-" for stdin.
 * @has_size:   read exactly @size_bytes; otherwise read to end of input.
 * @size_bytes: bytes wanted when @has_size.
 * @buf:        receives a page-aligned buffer to free().
 * @len_bytes:  receives the length read, bytes.
 * @err:        receives a message on failure.
 * @errlen:     size of @err, bytes.
 *
 * Return: 0, or -1 (cannot open, read error, input shorter than asked, or
 * larger than ZNS_DATA_MAX_BYTES).
 */
int zns_data_read(const char *path, bool has_size, uint64_t size_bytes, void **buf,
                  size_t *len_bytes, char *err, size_t errlen);

/**
 * zns_data_write() - write the output of read.
 * @path:      file (created or truncated), or NULL or "-" for stdout.
 * @buf:       data.
 * @len_bytes: length, bytes.
 * @err:       receives a message on failure.
 * @errlen:    size of @err, bytes.
 *
 * Return: 0, or -1.
 */
int zns_data_write(const char *path, const void *buf, size_t len_bytes, char *err, size_t errlen);

/* zns_data_open_input(): the input's size is not known (a pipe, a device). */
#define ZNS_DATA_SIZE_UNKNOWN UINT64_MAX

/**
 * zns_data_open_input() - open the input of append --split, read as a stream.
 * @path:        file, or NULL or "-" for stdin.
 * @known_bytes: receives the size of a regular file, else ZNS_DATA_SIZE_UNKNOWN.
 * @err:         receives a message on failure.
 * @errlen:      size of @err, bytes.
 *
 * Return: a file descriptor (for zns_data_read_full() and
 * zns_data_close_input()), or -1.
 */
int zns_data_open_input(const char *path, uint64_t *known_bytes, char *err, size_t errlen);

/**
 * zns_data_read_full() - read @want bytes, fewer only at the end of the input.
 * @fd:     from zns_data_open_input().
 * @buf:    receives the data.
 * @want:   bytes wanted.
 * @err:    receives a message on failure.
 * @errlen: size of @err, bytes.
 *
 * Return: bytes read (0 at the end of the input), or -1.
 */
long zns_data_read_full(int fd, void *buf, size_t want, char *err, size_t errlen);

/**
 * zns_data_close_input() - close what zns_data_open_input() opened.
 * @path: the same path.
 * @fd:   the descriptor; stdin stays open.
 */
void zns_data_close_input(const char *path, int fd);

/* Largest input the tool takes in one go, bytes (1 GiB); --split streams. */
#define ZNS_DATA_MAX_BYTES (1ull << 30)

#endif /* ZNS_DATA_H */
