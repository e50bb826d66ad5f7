// Runs a shell command line for tests that drive the quantatom executable.
#pragma once

#include <string>

namespace quantatom::testing {

struct ShellOutput {
  int code;          // the exit code, -1 when the command did not exit normally
  std::string text;  // stdout and stderr
};

ShellOutput Shell(const std::string& command);

// The quantatom executable: $QA_BIN, else the one built beside the tests.
std::string QuantatomBinary();

}  // namespace quantatom::testing
