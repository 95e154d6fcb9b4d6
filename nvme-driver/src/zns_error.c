/* SPDX-License-Identifier: MIT */
/*
 * zns_error.c - names for NVMe statuses, driver errors and zone states, so
 * that no user ever sees a bare number.
 */
#include <errno.h>
#include <string.h>

#include "zns_internal.h"

struct name {
    int code;
    const char *text;
};

/* Statuses as (SCT << 8) | SC; names as in the NVMe and ZNS specifications. */
static const struct name status_names[] = {
    {0x000, "Successful Completion"},
    {0x001, "Invalid Command Opcode"},
    {0x002, "Invalid Field in Command"},
    {0x003, "Command ID Conflict"},
    {0x004, "Data Transfer Error"},
    {0x005, "Commands Aborted due to Power Loss Notification"},
    {0x006, "Internal Error"},
    {0x007, "Command Abort Requested"},
    {0x008, "Command Aborted due to SQ Deletion"},
    {0x009, "Command Aborted due to Failed Fused Command"},
    {0x00a, "Command Aborted due to Missing Fused Command"},
    {0x00b, "Invalid Namespace or Format"},
    {0x00c, "Command Sequence Error"},
    {0x00f, "Data SGL Length Invalid"},
    {0x015, "Operation Denied"},
    {0x01d, "Command Interrupted"},
    {0x01e, "Transient Transport Error"},
    {0x080, "LBA Out of Range"},
    {0x081, "Capacity Exceeded"},
    {0x082, "Namespace Not Ready"},
    {0x083, "Reservation Conflict"},
    {0x084, "Format In Progress"},
    {0x182, "Attempted Write to Read Only Range"},
    {0x1b6, "Invalid Zone Operation Request"},
    {0x1b7, "ZRWA Resources Unavailable"},
    {0x280, "Write Fault"},
    {0x281, "Unrecovered Read Error"},
    {0x282, "End-to-end Guard Check Error"},
    {0x283, "End-to-end Application Tag Check Error"},
    {0x284, "End-to-end Reference Tag Check Error"},
    {0x285, "Compare Failure"},
    {0x286, "Access Denied"},
    {0x287, "Deallocated or Unwritten Logical Block"},
    {0x300, "Internal Path Error"},
};

/* The errno values the driver's own checks return mean something precise. */
static const struct name errno_names[] = {
    {EINVAL, "Invalid argument: zero or unaligned length, or an LBA that is not a zone start"},
    {ERANGE, "LBA range outside the namespace"},
    {EXDEV, "Range crosses a zone boundary (checked before sending)"},
    {ENOSPC, "Range runs past the zone capacity (checked before sending)"},
    {E2BIG, "Larger than the Zone Append Size Limit (ZASL)"},
    {EMEDIUMTYPE, "Not a zoned namespace"},
    {ENOTTY, "Not an NVMe namespace device"},
    {EOPNOTSUPP, "LBA formats with metadata are not supported"},
};

static const char *lookup(const struct name *names, size_t nr, int code)
{
    for (size_t i = 0; i < nr; i++)
        if (names[i].code == code)
            return names[i].text;
    return NULL;
}

const char *zns_strerror(int err)
{
    const char *text;
    if (err == 0)
        return "Success";
    if (err > 0) {
        text = zslab_nvme_zone_status_name(err & (int)ZNS_STATUS_MASK);
        if (!text)
            text = lookup(status_names, sizeof(status_names) / sizeof(status_names[0]),
                          err & (int)ZNS_STATUS_MASK);
        return text ? text : "Unknown NVMe status";
    }
    text = lookup(errno_names, sizeof(errno_names) / sizeof(errno_names[0]), -err);
    return text ? text : strerror(-err);
}

const char *zns_zone_state_name(enum zslab_zone_state state)
{
    switch (state) {
    case ZSLAB_ZONE_EMPTY:
        return "EMPTY";
    case ZSLAB_ZONE_IMP_OPEN:
        return "IMP_OPENED";
    case ZSLAB_ZONE_EXP_OPEN:
        return "EXP_OPENED";
    case ZSLAB_ZONE_CLOSED:
        return "CLOSED";
    case ZSLAB_ZONE_READ_ONLY:
        return "READONLY";
    case ZSLAB_ZONE_FULL:
        return "FULL";
    case ZSLAB_ZONE_OFFLINE:
        return "OFFLINE";
    }
    return "Unknown";
}

const char *zns_zone_action_name(enum zslab_zone_action action)
{
    switch (action) {
    case ZSLAB_ZONE_OPEN:
        return "open";
    case ZSLAB_ZONE_CLOSE:
        return "close";
    case ZSLAB_ZONE_FINISH:
        return "finish";
    case ZSLAB_ZONE_RESET:
        return "reset";
    case ZSLAB_ZONE_OFFLINE_ACTION:
        return "offline";
    }
    return "unknown";
}
