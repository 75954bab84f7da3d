// SHA-256 compression with the x86 SHA extensions, chosen at run time by the Swift wrapper.
#pragma once
#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the SHA extensions (and SSE4.1) and this build can use them, else 0.
int csha256_has_shani(void);

/// Compresses `blocks` 64-byte blocks into `state` (eight words, host order). Only call when available.
void csha256_shani_blocks(uint32_t *state, const uint8_t *data, size_t blocks);
