// A test program: it exits 0 when the library behaves. Every tests/*_test.cpp becomes one.
#include <iostream>
#include <string>

#include "greet.h"

int main() {
  const std::string expected = "hello from {{name}}";
  const std::string got = greeting();
  if (got != expected) {
    std::cerr << "greet_test: expected \"" << expected << "\", got \"" << got << "\"\n";
    return 1;
  }
  std::cout << "greet_test: ok\n";
  return 0;
}
