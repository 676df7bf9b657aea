/*
 * The driver of the brotli benchmark (bench/real): links against the static library jmake built
 * from brotli 1.0.7 and round-trips data through its public one-shot API, BrotliEncoderCompress
 * and BrotliDecoderDecompress, at qualities 0, 5 and 11. Inputs: every file named on the command
 * line, an empty buffer, and 256 KiB of generated data (text-like runs and pseudo-random bytes).
 *
 * Prints the library's encoder and decoder versions first (the benchmark's edit changes the
 * decoder's), then one line per input and quality. Exits 1 on any mismatch or API failure, 2 on a
 * usage or I/O error.
 */
#include <brotli/decode.h>
#include <brotli/encode.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int kQualities[] = {0, 5, 11};

static int read_file(const char* path, uint8_t** data, size_t* size) {
  FILE* f = fopen(path, "rb");
  long n;
  if (!f) return 0;
  if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return 0;
  }
  *data = (uint8_t*)malloc((size_t)n + 1);
  if (!*data || fread(*data, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    return 0;
  }
  fclose(f);
  *size = (size_t)n;
  return 1;
}

static void generate(uint8_t* out, size_t size) {
  static const char* words[] = {"brotli ", "jmake ", "daemon ", "object ", "archive ", "link\n"};
  uint32_t state = 0x12345678u;
  size_t i = 0;
  while (i < size) {
    state = state * 1103515245u + 12345u;
    if ((state >> 16) % 4 == 0) {
      /* a short run of noise */
      size_t run = 1 + (state >> 24) % 16;
      while (run-- > 0 && i < size) {
        state = state * 1103515245u + 12345u;
        out[i++] = (uint8_t)(state >> 16);
      }
    } else {
      const char* w = words[(state >> 20) % 6];
      while (*w && i < size) out[i++] = (uint8_t)*w++;
    }
  }
}

/* Returns 1 when the data survives the round trip at every quality. */
static int roundtrip(const char* name, const uint8_t* data, size_t size) {
  size_t bound = BrotliEncoderMaxCompressedSize(size);
  uint8_t* encoded;
  uint8_t* decoded;
  size_t q;
  int ok = 1;
  if (bound == 0) bound = size + 1024; /* 0 means "too large to tell"; never for these inputs */
  encoded = (uint8_t*)malloc(bound);
  decoded = (uint8_t*)malloc(size + 1);
  if (!encoded || !decoded) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  for (q = 0; q < sizeof(kQualities) / sizeof(kQualities[0]); q++) {
    size_t encoded_size = bound;
    size_t decoded_size = size + 1; /* one spare byte: a longer result is a mismatch too */
    BrotliDecoderResult result;
    if (!BrotliEncoderCompress(kQualities[q], BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, size, data,
                               &encoded_size, encoded)) {
      fprintf(stderr, "FAIL %s q=%d: BrotliEncoderCompress failed\n", name, kQualities[q]);
      ok = 0;
      continue;
    }
    result = BrotliDecoderDecompress(encoded_size, encoded, &decoded_size, decoded);
    if (result != BROTLI_DECODER_RESULT_SUCCESS) {
      fprintf(stderr, "FAIL %s q=%d: BrotliDecoderDecompress returned %d\n", name, kQualities[q], (int)result);
      ok = 0;
      continue;
    }
    if (decoded_size != size || (size > 0 && memcmp(decoded, data, size) != 0)) {
      fprintf(stderr, "FAIL %s q=%d: decoded %lu bytes that differ from the %lu bytes encoded\n", name,
              kQualities[q], (unsigned long)decoded_size, (unsigned long)size);
      ok = 0;
      continue;
    }
    printf("ok %s q=%d %lu -> %lu bytes\n", name, kQualities[q], (unsigned long)size,
           (unsigned long)encoded_size);
  }
  free(encoded);
  free(decoded);
  return ok;
}

int main(int argc, char** argv) {
  int ok = 1;
  int i;
  size_t generated_size = 256 * 1024;
  uint8_t* generated = (uint8_t*)malloc(generated_size);
  uint32_t ev = BrotliEncoderVersion();
  uint32_t dv = BrotliDecoderVersion();
  printf("encoder version %u.%u.%u (0x%07x)\n", ev >> 24, (ev >> 12) & 0xfff, ev & 0xfff, ev);
  printf("decoder version %u.%u.%u (0x%07x)\n", dv >> 24, (dv >> 12) & 0xfff, dv & 0xfff, dv);
  if (!generated) return 2;
  generate(generated, generated_size);
  ok &= roundtrip("<empty>", generated, 0);
  ok &= roundtrip("<generated>", generated, generated_size);
  free(generated);
  for (i = 1; i < argc; i++) {
    uint8_t* data = NULL;
    size_t size = 0;
    if (!read_file(argv[i], &data, &size)) {
      fprintf(stderr, "cannot read %s\n", argv[i]);
      return 2;
    }
    ok &= roundtrip(argv[i], data, size);
    free(data);
  }
  printf("%s\n", ok ? "ALL OK" : "MISMATCH");
  return ok ? 0 : 1;
}
