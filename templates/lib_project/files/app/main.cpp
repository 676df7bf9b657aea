#include <iostream>

#include "greet.h"

int main() {
  std::cout << greeting() << '\n';
  return 0;
}
