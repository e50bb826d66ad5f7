// The subcommands of the `quantatom` executable. Each returns the process
// exit code: 0 success, 1 the operation failed, 2 bad usage.
#pragma once

#include <CLI/CLI.hpp>

namespace quantatom::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// Registers a subcommand on `app`; the returned function runs it after
// parsing.
using Runner = std::function<int()>;
Runner AddDemoCommand(CLI::App& app);
Runner AddLoadCommand(CLI::App& app);
Runner AddQueryCommand(CLI::App& app);
Runner AddSetCommand(CLI::App& app);
Runner AddBenchCommand(CLI::App& app);
Runner AddLiveBenchCommand(CLI::App& app);
Runner AddImportCommand(CLI::App& app);
Runner AddVerifyCommand(CLI::App& app);
Runner AddSnapshotCommand(CLI::App& app);
Runner AddSnapshotWorkerCommand(CLI::App& app);
Runner AddChangesCommand(CLI::App& app);
Runner AddHistoryCommand(CLI::App& app);
Runner AddUndoCommand(CLI::App& app);
Runner AddServeCommand(CLI::App& app);
Runner AddUserCommand(CLI::App& app);
Runner AddRoleCommand(CLI::App& app);
Runner AddSpreadCommand(CLI::App& app);
Runner AddCopyCommand(CLI::App& app);
Runner AddClearCommand(CLI::App& app);
Runner AddAllocateCommand(CLI::App& app);
Runner AddDimensionCommand(CLI::App& app);
Runner AddCubeCommand(CLI::App& app);
Runner AddMemberCommand(CLI::App& app);
Runner AddRulesCommand(CLI::App& app);

}  // namespace quantatom::cli
