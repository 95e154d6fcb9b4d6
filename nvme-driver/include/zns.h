/* SPDX-License-Identifier: MIT */
/*
 * zns.h - a small driver for NVMe Zoned Namespaces (ZNS) over libnvme.
 *
 * The driver talks NVMe passthrough ioctls (through libnvme), not the block
 * layer, so it works on the block device /dev/nvmeXnY and on the generic char
 * device /dev/ngXnY alike; the latter is the only node Linux creates for a zone
 * size that is not a power of two.
 *
 * Units.  Addresses are LBAs (what NVMe and nvme-cli show: a zone is named by
 * its start LBA); lengths of data buffers are bytes and must be a multiple of
 * the LBA size.  Every field and argument says its unit in its name: *_lba is
 * an absolute LBA, *_lbas a count of LBAs, *_bytes a length in bytes.
 *
 * Return convention (libnvme's), for every function that returns int:
 *   0    success;
 *   < 0  a negated errno value; the driver's own checks, done before any
 *        command is sent, use these (zns_strerror() names them precisely):
 *          -EINVAL       bad argument: NULL, zero length, a length that is not
 *                        a multiple of the LBA size, an LBA that is not a zone
 *                        start where one is required;
 *          -ERANGE       the LBA range lies outside the namespace;
 *          -EXDEV        the range crosses a zone boundary;
 *          -ENOSPC       the range runs past the zone capacity;
 *          -E2BIG        an append larger than the Zone Append Size Limit;
 *          -EMEDIUMTYPE  the namespace is not zoned (zns_open());
 *          -ENOTTY       the path is not an NVMe namespace (zns_open());
 *        any other value is the errno of a failed system call;
 *   > 0  an NVMe status returned by the device: (status code type << 8) |
 *        status code, without the DNR, More and CRD bits, e.g.
 *        ZSLAB_NVME_SC_ZONE_FULL (0x1b9).  zns_strerror() names it.
 *
 * Concurrency.  A struct zns_dev is read-only after zns_open(): any number of
 * threads may call the I/O, report and management functions on one handle at
 * once.  Concurrent zns_append() calls to the same zone are safe and each gets
 * its own LBA from the device (Zone Append exists for exactly this).  Plain
 * writes are not: a zone has one write pointer, so concurrent zns_write() or
 * zns_write_at_wp() calls to one zone race and fail with Zone Invalid Write.
 * zns_open() and zns_close() must not run concurrently with other calls on the
 * same handle, nor may zns_async_open() and zns_async_close();
 * zns_append_start() and zns_append_wait() may run in any threads at once.
 */
#ifndef ZNS_H
#define ZNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zslab/zdev.h>

/*
 * Zones, their states and actions are zslab/zdev.h's, the project's one zone
 * vocabulary: struct zslab_zone, enum zslab_zone_state (ZSLAB_ZONE_EMPTY ...),
 * enum zslab_zone_action (ZSLAB_ZONE_OPEN ...), ZSLAB_ZONE_WP_NONE and
 * ZSLAB_ZONE_TYPE_SEQWRITE_REQ.  The driver adds only what is its own: the
 * Report Zones filter and the geometry it learns beyond zdev's.
 */

/* Report filters: the NVMe Zone Receive Action Specific Field values. */
enum zns_report_filter {
    ZNS_REPORT_ALL = 0x0,
    ZNS_REPORT_EMPTY = 0x1,
    ZNS_REPORT_IMP_OPEN = 0x2,
    ZNS_REPORT_EXP_OPEN = 0x3,
    ZNS_REPORT_CLOSED = 0x4,
    ZNS_REPORT_FULL = 0x5,
    ZNS_REPORT_READ_ONLY = 0x6,
    ZNS_REPORT_OFFLINE = 0x7,
};

/**
 * struct zns_geometry - what zns_open() learns about the namespace.
 * @nsid:              namespace id, taken from the device.
 * @lba_bytes:         logical block size, bytes.
 * @ns_lbas:           namespace size (NSZE), LBAs.
 * @zone_size_lbas:    zone size (ZSZE: the address range of a zone), LBAs.
 * @zone_size_bytes:   the same, bytes.
 * @zone_cap_lbas:     zone capacity of the first zone (writable LBAs), LBAs;
 *                     every zone has it unless @variable_zone_cap is set.
 * @zone_cap_bytes:    the same, bytes.
 * @nr_zones:          number of zones (@ns_lbas / @zone_size_lbas).
 * @max_open_zones:    max open zones, a count (MOR + 1); 0 means unlimited.
 * @max_active_zones:  max active zones, a count (MAR + 1); 0 means unlimited.
 * @zasl_bytes:        largest Zone Append, bytes: ZASL (MDTS when ZASL is 0),
 *                     capped at MDTS and at @max_io_bytes; never 0.
 * @mdts_bytes:        largest data transfer (MDTS), bytes; 0 means no limit.
 * @max_io_bytes:      largest command the driver sends, bytes: MDTS, capped at
 *                     65536 LBAs (the NLB field) and at what the host kernel
 *                     maps into one command (max_segments - 1 pages of the
 *                     queue: 504 KiB for NVMe over PCIe, whose 512 KiB MDTS
 *                     commands fail by chance); zns_read()/zns_write() split
 *                     larger buffers.
 * @min_page_bytes:    the controller's minimum memory page size (CAP.MPSMIN),
 *                     bytes, the unit of ZASL and MDTS; always 4096 on Linux,
 *                     which refuses controllers with a larger MPSMIN.
 * @variable_zone_cap: ZOC.VZCAP: zones may have different capacities.
 * @read_across_zones: OZCS.RAZB: reads may cross zone boundaries.
 */
struct zns_geometry {
    uint32_t nsid;
    uint32_t lba_bytes;
    uint64_t ns_lbas;
    uint64_t zone_size_lbas;
    uint64_t zone_size_bytes;
    uint64_t zone_cap_lbas;
    uint64_t zone_cap_bytes;
    uint32_t nr_zones;
    uint32_t max_open_zones;
    uint32_t max_active_zones;
    uint32_t zasl_bytes;
    uint32_t mdts_bytes;
    uint32_t max_io_bytes;
    uint32_t min_page_bytes;
    bool variable_zone_cap;
    bool read_across_zones;
};

/**
 * struct zns_dev - an open zoned namespace; the caller owns the memory.
 * @fd:                 file descriptor of the namespace node.
 * @geo:                geometry, filled by zns_open().
 * @report_batch_zones: zone descriptors asked per Report Zones command;
 *                      zns_open() sizes it from MDTS, a caller may lower it.
 * @skip_checks:        false after zns_open().  When a caller sets it, read,
 *                      write and append send their commands without the
 *                      driver's range checks (namespace end, zone boundary,
 *                      zone capacity, zone start, ZASL), so that the device's
 *                      own status comes back: for testing devices.  The
 *                      length must still be a non-zero multiple of the LBA
 *                      size that the command's NLB field can carry.
 * @async:              NULL after zns_open(); the io_uring ring of
 *                      zns_async_open(), which zns_close() closes too.
 */
struct zns_async;
struct zns_dev {
    int fd;
    struct zns_geometry geo;
    uint32_t report_batch_zones;
    bool skip_checks;
    struct zns_async *async;
};

/**
 * zns_open() - open a zoned namespace and identify it.
 * @dev:      handle to fill; owned by the caller.
 * @path:     /dev/nvmeXnY or /dev/ngXnY.
 * @writable: open read-write (needed for writes and zone management).
 *
 * Takes the namespace id from the device, then fills @dev->geo from Identify
 * Controller (MDTS), Identify Namespace (LBA format, size), the ZNS Identify
 * Controller (ZASL) and Namespace (zone size, MOR, MAR) and a report of the
 * first zone (zone capacity).
 *
 * Return: 0; -ENOTTY when @path is not an NVMe namespace; -EMEDIUMTYPE when
 * the namespace is not zoned; -EOPNOTSUPP when the LBA format carries
 * metadata; another -errno (e.g. -ENOENT, -EACCES) from open(); or an NVMe
 * status from an identify command.  On failure nothing stays open.
 */
int zns_open(struct zns_dev *dev, const char *path, bool writable);

/**
 * zns_close() - close a handle opened by zns_open().
 * @dev: the handle; its memory stays the caller's.
 *
 * Return: 0, or -errno from close().
 */
int zns_close(struct zns_dev *dev);

/**
 * zns_report_zones() - report zones, as many as asked, in pages.
 * @dev:       an open handle.
 * @from_lba:  report from the zone that holds this LBA.
 * @filter:    report only zones in this state (ZNS_REPORT_ALL: every zone).
 * @zones:     array that receives the descriptors; a zone without a write
 *             pointer (FULL, READ_ONLY, OFFLINE) gets ZSLAB_ZONE_WP_NONE,
 *             whatever the device reported (QEMU ~0, others zslba + zcap).
 * @nr_zones:  in: capacity of @zones; out: descriptors filled.  Fewer than
 *             asked means the last matching zone was reached.
 *
 * Sends as many Zone Management Receive (Report Zones, partial) commands as
 * needed, each with at most @dev->report_batch_zones descriptors, so any
 * number of zones is reported whatever the transfer limit.
 *
 * Return: 0, -EINVAL, -ERANGE (@from_lba past the namespace), -ENOMEM, or an
 * NVMe status.
 */
int zns_report_zones(const struct zns_dev *dev, uint64_t from_lba, enum zns_report_filter filter,
                     struct zslab_zone *zones, uint32_t *nr_zones);

/**
 * zns_report_zone() - report the one zone that holds an LBA.
 * @dev:  an open handle.
 * @lba:  any LBA of the zone.
 * @zone: receives the descriptor.
 *
 * Return: 0, -ERANGE, -EINVAL, or an NVMe status.
 */
int zns_report_zone(const struct zns_dev *dev, uint64_t lba, struct zslab_zone *zone);

/**
 * zns_zone_mgmt() - Zone Management Send: the one primitive of zone actions.
 * @dev:            an open handle.
 * @zone_start_lba: start LBA of the zone; ignored when @all_zones.
 * @action:         open, close, finish, reset or offline.
 * @all_zones:      Select All: apply @action to every zone it applies to.
 *
 * Return: 0; -EINVAL when @zone_start_lba is not a zone start or @action is
 * unknown; -ERANGE when it is past the namespace; or an NVMe status such as
 * ZSLAB_NVME_SC_ZONE_INVALID_STATE or ZSLAB_NVME_SC_TOO_MANY_OPEN.
 */
int zns_zone_mgmt(const struct zns_dev *dev, uint64_t zone_start_lba, enum zslab_zone_action action,
                  bool all_zones);

/**
 * zns_zone_open() - explicitly open a zone, or every closed zone.
 * @dev:            an open handle.
 * @zone_start_lba: start LBA of the zone; ignored when @all_zones.
 * @all_zones:      act on every zone (Select All).
 *
 * Return: as zns_zone_mgmt().
 */
int zns_zone_open(const struct zns_dev *dev, uint64_t zone_start_lba, bool all_zones);

/**
 * zns_zone_close() - close an open zone, or every open zone.
 * @dev:            an open handle.
 * @zone_start_lba: start LBA of the zone; ignored when @all_zones.
 * @all_zones:      act on every zone (Select All).
 *
 * Return: as zns_zone_mgmt().
 */
int zns_zone_close(const struct zns_dev *dev, uint64_t zone_start_lba, bool all_zones);

/**
 * zns_zone_finish() - move a zone, or every open or closed zone, to FULL.
 * @dev:            an open handle.
 * @zone_start_lba: start LBA of the zone; ignored when @all_zones.
 * @all_zones:      act on every zone (Select All).
 *
 * Return: as zns_zone_mgmt().
 */
int zns_zone_finish(const struct zns_dev *dev, uint64_t zone_start_lba, bool all_zones);

/**
 * zns_zone_reset() - reset a zone, or every non-empty zone, to EMPTY.
 * @dev:            an open handle.
 * @zone_start_lba: start LBA of the zone; ignored when @all_zones.
 * @all_zones:      act on every zone (Select All).
 *
 * Return: as zns_zone_mgmt().
 */
int zns_zone_reset(const struct zns_dev *dev, uint64_t zone_start_lba, bool all_zones);

/**
 * zns_zone_offline() - take a read-only zone, or every one, offline.
 * @dev:            an open handle.
 * @zone_start_lba: start LBA of the zone; ignored when @all_zones.
 * @all_zones:      act on every zone (Select All).
 *
 * Return: as zns_zone_mgmt().
 */
int zns_zone_offline(const struct zns_dev *dev, uint64_t zone_start_lba, bool all_zones);

/**
 * zns_append() - Zone Append: write data where the device chooses.
 * @dev:            an open handle.
 * @zone_start_lba: start LBA of the target zone.
 * @buf:            data.
 * @len_bytes:      length of @buf, bytes: a multiple of the LBA size, at most
 *                  @dev->geo.zasl_bytes.
 * @out_lba:        receives the first LBA the device wrote (may be NULL).
 *
 * Safe to call concurrently on one zone; each call gets its own LBA.
 *
 * Return: 0; -EINVAL (not a zone start, bad length); -E2BIG (@len_bytes over
 * ZASL: nothing is sent; see zns_append_split()); -ERANGE; or an NVMe status
 * such as ZSLAB_NVME_SC_ZONE_FULL or ZSLAB_NVME_SC_ZONE_BOUNDARY.  With
 * @dev->skip_checks only the length is checked (-EINVAL).
 */
int zns_append(const struct zns_dev *dev, uint64_t zone_start_lba, const void *buf,
               size_t len_bytes, uint64_t *out_lba);

/* Tags of appends in flight at once: the zone store's (zslab/zdev.h). */
#define ZNS_ASYNC_TAGS ZSLAB_ZDEV_ASYNC_TAGS

/**
 * zns_async_open() - set up asynchronous Zone Appends on an open handle.
 * @dev:       an open handle (writable); @dev->async must be NULL.
 * @why:       receives one line for the user: where the appends go
 *             ("io_uring NVMe passthrough on /dev/ng0n1"), or why they cannot
 *             ("io_uring NVMe passthrough refused on ...: ..."); may be NULL.
 * @why_bytes: size of @why, bytes.
 *
 * Creates an io_uring (liburing) with 128-byte SQEs and 32-byte CQEs on the
 * namespace's generic char device (@dev->fd, or for a block device nvmeXnY
 * its char device /dev/ngXnY, opened here), and proves that the kernel takes
 * NVMe passthrough commands there with one NVMe Flush through it.  Appends
 * then go through zns_append_start()/zns_append_wait(); no thread is
 * created.  zns_append() and every other call stay synchronous ioctls.
 *
 * Return: 0, and @dev->async is set; or a negated errno and nothing changed
 * (@why says why): -ENODEV (no char device for the namespace), -ENOSYS,
 * -EINVAL or -EPERM (io_uring or its 128-byte SQEs not available, e.g.
 * before Linux 5.19 or under a seccomp filter), -EOPNOTSUPP (the node takes
 * no passthrough), -ENOMEM.
 */
int zns_async_open(struct zns_dev *dev, char *why, size_t why_bytes);

/**
 * zns_async_close() - close what zns_async_open() set up (a no-op if nothing).
 * @dev: the handle; every started append must have been waited for.
 */
void zns_async_close(struct zns_dev *dev);

/**
 * zns_append_start() - queue a Zone Append without waiting for it.
 * @dev:            a handle with zns_async_open() done.
 * @zone_start_lba: start LBA of the target zone.
 * @buf:            data; the caller leaves it alone until zns_append_wait()
 *                  of @tag has returned.
 * @len_bytes:      length, bytes, as zns_append().
 * @tag:            0 to ZNS_ASYNC_TAGS - 1, not started already.
 *
 * Checked as zns_append() before anything is queued.  The command is the one
 * zns_append() sends, through io_uring (IORING_OP_URING_CMD,
 * NVME_URING_CMD_IO).
 *
 * Return: 0 once queued; or, with nothing queued, -EOPNOTSUPP (no
 * zns_async_open()), -EBUSY (@tag is started), zns_append()'s check errors,
 * or the -errno of io_uring_submit().
 */
int zns_append_start(const struct zns_dev *dev, uint64_t zone_start_lba, const void *buf,
                     size_t len_bytes, uint32_t tag);

/**
 * zns_append_wait() - wait for a started Zone Append and take its result.
 * @dev:     the handle it was started on.
 * @tag:     its tag; every started tag is waited for exactly once, by any
 *           thread.
 * @out_lba: receives the first LBA the device wrote (may be NULL).
 *
 * Return: as zns_append(): 0, or an NVMe status (e.g.
 * ZSLAB_NVME_SC_ZONE_FULL, without the DNR and More bits) or -errno the
 * command completed with; -EINVAL when @tag was not started; -EOPNOTSUPP
 * without zns_async_open().
 */
int zns_append_wait(const struct zns_dev *dev, uint32_t tag, uint64_t *out_lba);

/**
 * zns_append_nr_chunks() - how many appends zns_append_split() sends.
 * @dev:       an open handle.
 * @len_bytes: total length, bytes.
 *
 * Return: the number of ZASL-sized chunks @len_bytes needs (0 for 0 bytes).
 */
uint32_t zns_append_nr_chunks(const struct zns_dev *dev, size_t len_bytes);

/**
 * zns_append_split() - append a buffer of any length in ZASL-sized chunks.
 * @dev:            an open handle.
 * @zone_start_lba: start LBA of the target zone.
 * @buf:            data.
 * @len_bytes:      length of @buf, bytes, a multiple of the LBA size.
 * @chunk_lbas:     receives the LBA of each chunk, in buffer order; chunks
 *                  are contiguous only if nobody else appends to the zone.
 * @max_chunks:     capacity of @chunk_lbas (see zns_append_nr_chunks()).
 * @nr_done:        receives how many chunks were appended, also on failure.
 *
 * Return: 0; -EINVAL; -ENOSPC when @max_chunks is too small (nothing sent);
 * or the first failing append's error, with *@nr_done chunks written.
 */
int zns_append_split(const struct zns_dev *dev, uint64_t zone_start_lba, const void *buf,
                     size_t len_bytes, uint64_t *chunk_lbas, uint32_t max_chunks,
                     uint32_t *nr_done);

/**
 * zns_write() - write at an LBA, which must be the zone's write pointer.
 * @dev:       an open handle.
 * @lba:       first LBA to write.
 * @buf:       data.
 * @len_bytes: length, bytes, a multiple of the LBA size.
 *
 * Before anything is sent, the range is checked against the namespace, the
 * zone boundary and the zone capacity (for a device with variable zone
 * capacity, the zone is reported first).  Buffers larger than max_io_bytes are
 * sent as several writes, in order.  The write pointer itself is the device's
 * check: a write elsewhere fails with ZSLAB_NVME_SC_ZONE_INVALID_WRITE.
 *
 * Return: 0; -EINVAL, -ERANGE, -EXDEV, -ENOSPC; or an NVMe status.  After a
 * failed split write, a prefix may have been written: report the zone.  With
 * @dev->skip_checks only the length is checked (-EINVAL).
 */
int zns_write(const struct zns_dev *dev, uint64_t lba, const void *buf, size_t len_bytes);

/**
 * zns_write_at_wp() - report a zone and write at its write pointer.
 * @dev:            an open handle.
 * @zone_start_lba: start LBA of the zone.
 * @buf:            data.
 * @len_bytes:      length, bytes, a multiple of the LBA size.
 * @out_lba:        receives the LBA written (the write pointer), may be NULL.
 *
 * Return: as zns_write(); ZSLAB_NVME_SC_ZONE_FULL (without sending a write)
 * when the zone has no write pointer.
 */
int zns_write_at_wp(const struct zns_dev *dev, uint64_t zone_start_lba, const void *buf,
                    size_t len_bytes, uint64_t *out_lba);

/**
 * zns_read() - read LBAs.
 * @dev:       an open handle.
 * @lba:       first LBA to read.
 * @buf:       receives the data.
 * @len_bytes: length, bytes, a multiple of the LBA size.
 *
 * Checked before sending: the range lies in the namespace and, unless the
 * device allows reads across zones, in one zone (with @dev->skip_checks, only
 * the length).  Split at max_io_bytes.
 *
 * Return: 0; -EINVAL, -ERANGE, -EXDEV; or an NVMe status.
 */
int zns_read(const struct zns_dev *dev, uint64_t lba, void *buf, size_t len_bytes);

/**
 * zns_flush() - NVMe Flush: make completed writes and appends durable.
 * @dev: an open handle.
 *
 * A controller with a volatile write cache (QEMU's NVMe device reports one)
 * may lose data of a completed command on power loss; after zns_flush()
 * returns, everything that completed before it was called is on media.
 *
 * Return: 0, -EINVAL, or an NVMe status.
 */
int zns_flush(const struct zns_dev *dev);

/**
 * zns_strerror() - name an error of this driver.
 * @err: a return value of a zns_ function.
 *
 * Return: a static string: "Success" for 0; the status name for an NVMe
 * status (every ZNS status, e.g. "Zone Is Full", and the generic ones); the
 * driver's meaning or strerror() text for a negated errno.  Never NULL.
 */
const char *zns_strerror(int err);

/**
 * zns_zone_state_name() - name a zone state as nvme-cli does.
 * @state: a zone state.
 *
 * Return: "EMPTY", "IMP_OPENED", "EXP_OPENED", "CLOSED", "READONLY", "FULL",
 * "OFFLINE", or "Unknown" for any other value.
 */
const char *zns_zone_state_name(enum zslab_zone_state state);

/**
 * zns_zone_action_name() - name a zone action.
 * @action: a zone action.
 *
 * Return: "open", "close", "finish", "reset", "offline", or "unknown".
 */
const char *zns_zone_action_name(enum zslab_zone_action action);

/**
 * zns_zdev_ops - the zoned-device operations table on a struct zns_dev.
 *
 * Pass a struct zns_dev * as the @dev argument of every operation.  @report
 * decodes straight into the caller's struct zslab_zone array (no copy), @flush
 * is zns_flush().  @append_start and @append_wait are zns_append_start() and
 * zns_append_wait(): after zns_async_open() they append asynchronously;
 * without it append_start refuses with -EOPNOTSUPP before queueing anything,
 * which zdev.h's users take as "append synchronously with @append".
 */
extern const struct zslab_zdev_ops zns_zdev_ops;

#endif /* ZNS_H */
