/*
 * The driver of the libsass benchmark (bench/real): links against the shared library jmake built
 * from libsass 3.5.5 and compiles an SCSS string through the C API of sass/context.h
 * (sass_make_data_context, sass_compile_data_context), then checks the CSS against the expected
 * text. The input has variables, arithmetic, a colour function and nested rules with a parent
 * selector.
 *
 * Prints the library's version first (the benchmark's edit changes it). Exits 1 when the
 * compile fails or the CSS differs, printing both.
 */
#include <sass/context.h>

#include <stdio.h>
#include <string.h>

static const char* kInput =
    "$accent: #336699;\n"
    "$pad: 4px;\n"
    ".nav {\n"
    "  color: $accent;\n"
    "  a {\n"
    "    padding: $pad * 2 $pad;\n"
    "    &:hover { color: darken($accent, 10%); }\n"
    "  }\n"
    "}\n";

static const char* kExpected =
    ".nav {\n"
    "  color: #336699;\n"
    "}\n"
    "\n"
    ".nav a {\n"
    "  padding: 8px 4px;\n"
    "}\n"
    "\n"
    ".nav a:hover {\n"
    "  color: #264d73;\n"
    "}\n";

int main(void) {
  /* The data context takes ownership of the string: it must come from libsass's allocator. */
  struct Sass_Data_Context* data = sass_make_data_context(sass_copy_c_string(kInput));
  struct Sass_Context* context = sass_data_context_get_context(data);
  struct Sass_Options* options = sass_context_get_options(context);
  int status;
  int ok;
  const char* css;

  printf("libsass %s (language %s)\n", libsass_version(), libsass_language_version());
  sass_option_set_output_style(options, SASS_STYLE_EXPANDED);
  sass_option_set_precision(options, 5);

  status = sass_compile_data_context(data);
  if (status != 0) {
    fprintf(stderr, "FAIL: sass_compile_data_context returned %d: %s\n", status,
            sass_context_get_error_message(context));
    sass_delete_data_context(data);
    return 1;
  }
  css = sass_context_get_output_string(context);
  ok = css != NULL && strcmp(css, kExpected) == 0;
  if (!ok) {
    fprintf(stderr, "FAIL: the CSS differs.\n--- expected\n%s--- got\n%s---\n", kExpected, css ? css : "(null)");
  } else {
    printf("%sCSS OK\n", css);
  }
  sass_delete_data_context(data);
  return ok ? 0 : 1;
}
