/* SPDX-License-Identifier: MIT */
/*
 * list.c - intrusive doubly linked slab lists (partial, full, cache), pushed
 * and popped at the head.  A slab's state says which list holds it.
 */
#include "internal.h"

void _zslab_list_push(zslab_slab_list_t *list, zslab_slab_t *slab, zslab_slab_state_t state)
{
    slab->prev = NULL;
    slab->next = list->head;
    if (list->head)
        list->head->prev = slab;
    else
        list->tail = slab;
    list->head = slab;
    list->count++;
    slab->state = (uint8_t)state;
    zslab_assert_expensive(_zslab_list_is_valid(list, state));
}

void _zslab_list_remove(zslab_slab_list_t *list, zslab_slab_t *slab)
{
    zslab_assert(list->count > 0);
    zslab_assert_expensive(_zslab_list_is_valid(list, (zslab_slab_state_t)slab->state));
    if (slab->prev)
        slab->prev->next = slab->next;
    else
        list->head = slab->next;
    if (slab->next)
        slab->next->prev = slab->prev;
    else
        list->tail = slab->prev;
    slab->next = slab->prev = NULL;
    slab->state = ZSLAB_SLAB_FREE;
    list->count--;
}

zslab_slab_t *_zslab_list_pop(zslab_slab_list_t *list)
{
    zslab_slab_t *slab = list->head;
    if (slab)
        _zslab_list_remove(list, slab);
    return slab;
}

/* Links agree both ways, every slab has @state, count is the length and
 * tail the last. */
bool _zslab_list_is_valid(const zslab_slab_list_t *list, zslab_slab_state_t state)
{
    uint32_t n = 0;
    const zslab_slab_t *prev = NULL;
    for (const zslab_slab_t *s = list->head; s; prev = s, s = s->next) {
        if (s->prev != prev || s->state != state || ++n > list->count)
            return false;
    }
    return n == list->count && list->tail == prev;
}
