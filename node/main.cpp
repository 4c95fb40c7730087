// l2node: one binary for the sequencer, the follower and the devnet (DESIGN.md).
// Only the command surface exists yet; each command says plainly which issue brings it.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

namespace {

struct Pending
{
    const char* name;
    const char* what;
    const char* issue;
};

constexpr Pending kPending[] = {
    {"devnet", "run a local L1 (anvil), the L1 contracts, a sequencer and a follower", "s 5 and 6"},
    {"sequencer", "run the sequencer", " 5"},
    {"follower", "derive the chain from L1", " 6"},
    {"deposit", "send a forced transaction through the L1 portal", " 5"},
    {"status", "show a node's heads and sync progress", " 5"},
};

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"l2node: an L2 rollup node (sequencer, follower, devnet)"};
    app.set_version_flag("--version", std::string{"l2node "} + L2NODE_VERSION);
    app.require_subcommand(1);
    int rc = 0;
    for (const auto& p : kPending)
    {
        auto* cmd = app.add_subcommand(p.name, p.what);
        cmd->allow_extras();
        cmd->callback([&rc, p] {
            std::fprintf(stderr,
                         "l2node %s: not available yet. It lands with issue%s; this build has "
                         "the transaction types, the unified state and the EVM (see README).\n",
                         p.name, p.issue);
            rc = 2;
        });
    }
    CLI11_PARSE(app, argc, argv);
    return rc;
}
