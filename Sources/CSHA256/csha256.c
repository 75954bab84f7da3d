// SHA-256 block compression using Intel SHA extensions (SHA-NI): two rounds per sha256rnds2.
#include "csha256.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

int csha256_has_shani(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    int sse41 = (ecx >> 19) & 1;
    int ssse3 = (ecx >> 9) & 1;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    int sha = (ebx >> 29) & 1;
    return sha && sse41 && ssse3;
}

#define ROUNDS4(msg, k0, k1, k2, k3)                                   \
    do {                                                               \
        __m128i m = _mm_add_epi32(msg, _mm_set_epi32(k3, k2, k1, k0)); \
        state1 = _mm_sha256rnds2_epu32(state1, state0, m);             \
        m = _mm_shuffle_epi32(m, 0x0E);                                \
        state0 = _mm_sha256rnds2_epu32(state0, state1, m);             \
    } while (0)

__attribute__((target("sha,sse4.1,ssse3")))
void csha256_shani_blocks(uint32_t *state, const uint8_t *data, size_t blocks) {
    const __m128i shuffle = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i state1 = _mm_loadu_si128((const __m128i *)&state[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);          /* CDAB */
    state1 = _mm_shuffle_epi32(state1, 0x1B);    /* EFGH */
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);    /* ABEF */
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);         /* CDGH */

    while (blocks--) {
        const __m128i abef = state0;
        const __m128i cdgh = state1;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), shuffle);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), shuffle);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), shuffle);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), shuffle);

        ROUNDS4(m0, 0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5);
        ROUNDS4(m1, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5);
        m0 = _mm_sha256msg1_epu32(m0, m1);
        ROUNDS4(m2, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3);
        m1 = _mm_sha256msg1_epu32(m1, m2);
        ROUNDS4(m3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174);

#define SCHEDULE(a, b, c, d)                          \
    a = _mm_add_epi32(a, _mm_alignr_epi8(d, c, 4));   \
    a = _mm_sha256msg2_epu32(a, d);                   \
    c = _mm_sha256msg1_epu32(c, d);

        SCHEDULE(m0, m1, m2, m3);
        ROUNDS4(m0, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc);
        SCHEDULE(m1, m2, m3, m0);
        ROUNDS4(m1, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da);
        SCHEDULE(m2, m3, m0, m1);
        ROUNDS4(m2, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7);
        SCHEDULE(m3, m0, m1, m2);
        ROUNDS4(m3, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967);
        SCHEDULE(m0, m1, m2, m3);
        ROUNDS4(m0, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13);
        SCHEDULE(m1, m2, m3, m0);
        ROUNDS4(m1, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85);
        SCHEDULE(m2, m3, m0, m1);
        ROUNDS4(m2, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3);
        SCHEDULE(m3, m0, m1, m2);
        ROUNDS4(m3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070);
        SCHEDULE(m0, m1, m2, m3);
        ROUNDS4(m0, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5);
        SCHEDULE(m1, m2, m3, m0);
        ROUNDS4(m1, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3);
        SCHEDULE(m2, m3, m0, m1);
        ROUNDS4(m2, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208);
        SCHEDULE(m3, m0, m1, m2);
        ROUNDS4(m3, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2);
#undef SCHEDULE

        state0 = _mm_add_epi32(state0, abef);
        state1 = _mm_add_epi32(state1, cdgh);
        data += 64;
    }

    tmp = _mm_shuffle_epi32(state0, 0x1B);       /* FEBA */
    state1 = _mm_shuffle_epi32(state1, 0xB1);    /* DCHG */
    state0 = _mm_blend_epi16(tmp, state1, 0xF0); /* DCBA */
    state1 = _mm_alignr_epi8(state1, tmp, 8);    /* ABEF */
    _mm_storeu_si128((__m128i *)&state[0], state0);
    _mm_storeu_si128((__m128i *)&state[4], state1);
}

#else

int csha256_has_shani(void) { return 0; }
void csha256_shani_blocks(uint32_t *state, const uint8_t *data, size_t blocks) {
    (void)state;
    (void)data;
    (void)blocks;
}

#endif
