#include "greet.h"

std::string greeting() { return "hello from {{name}}"; }
