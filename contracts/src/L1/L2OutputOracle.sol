// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title L2OutputOracle
/// @notice Holds the L2 output roots (state commitments) posted to L1 by the one authorized
///         proposer, in increasing L2 block order. Withdrawals are later proven against them.
///         The interface follows OP Stack's L2OutputOracle (`getL2Output`, `latestOutputIndex`,
///         `latestBlockNumber`, `getL2OutputIndexAfter`, `OutputProposed`), without the
///         challenger/deletion and the fixed-interval rule: an output only has to be for a later
///         L2 block than the previous one. See docs/spec/contracts.md.
contract L2OutputOracle {
    /// @notice One proposed output.
    /// @param outputRoot    The L2 output root.
    /// @param timestamp     L1 timestamp of the block that recorded the proposal.
    /// @param l2BlockNumber The L2 block the output root commits to.
    struct OutputProposal {
        bytes32 outputRoot;
        uint128 timestamp;
        uint128 l2BlockNumber;
    }

    /// @notice The only account allowed to propose outputs.
    address public immutable proposer;

    /// @notice How many L2 blocks the proposer is expected to leave between outputs. Advisory:
    ///         `nextBlockNumber()` uses it, `proposeL2Output` does not enforce it.
    uint256 public immutable submissionInterval;

    /// @notice The L2 block the chain starts from; the first output must be for a later block.
    uint256 public immutable startingBlockNumber;

    /// @notice All outputs, oldest first; the index is the output index.
    OutputProposal[] internal l2Outputs;

    /// @notice Emitted for each accepted output.
    /// @param outputRoot    The output root.
    /// @param l2OutputIndex Its index in the list of outputs.
    /// @param l2BlockNumber The L2 block it commits to.
    /// @param l1Timestamp   The L1 block timestamp at which it was recorded.
    event OutputProposed(
        bytes32 indexed outputRoot, uint256 indexed l2OutputIndex, uint256 indexed l2BlockNumber, uint256 l1Timestamp
    );

    /// @notice The caller is not `proposer`.
    error NotProposer();

    /// @notice The output root is zero.
    error EmptyOutputRoot();

    /// @notice `l2BlockNumber` is not above `latestBlockNumber()`.
    error BlockNumberNotIncreasing(uint256 l2BlockNumber, uint256 latest);

    /// @notice The given L1 block hash does not match `blockhash(l1BlockNumber)`.
    error L1BlockHashMismatch(bytes32 given, bytes32 actual);

    /// @notice The given L1 block number is not in the past.
    error L1BlockInFuture(uint256 l1BlockNumber);

    /// @notice No output has been proposed yet.
    error NoOutputs();

    /// @notice No output exists at `index`.
    error OutputNotFound(uint256 index);

    /// @notice No output exists at or after L2 block `l2BlockNumber` yet.
    error NoOutputAfter(uint256 l2BlockNumber);

    /// @notice `l2BlockNumber` does not fit the 128 bits an output stores.
    error BlockNumberTooLarge(uint256 l2BlockNumber);

    /// @notice Invalid constructor argument.
    error BadConfig();

    /// @param _proposer            The account allowed to propose outputs (nonzero).
    /// @param _submissionInterval  Expected L2 blocks between outputs (nonzero, advisory).
    /// @param _startingBlockNumber The L2 block outputs start after.
    constructor(address _proposer, uint256 _submissionInterval, uint256 _startingBlockNumber) {
        if (_proposer == address(0) || _submissionInterval == 0) revert BadConfig();
        proposer = _proposer;
        submissionInterval = _submissionInterval;
        startingBlockNumber = _startingBlockNumber;
    }

    /// @notice Records an output root for an L2 block. Only `proposer` may call.
    /// @param _outputRoot    The output root (nonzero).
    /// @param _l2BlockNumber The L2 block it commits to; must exceed `latestBlockNumber()`.
    /// @param _l1BlockHash   If nonzero, an L1 block hash the proposer saw: the proposal reverts
    ///                       if L1 reorged away from it (checked while `blockhash` still knows
    ///                       `_l1BlockNumber`, i.e. for the last 256 blocks; older ones pass).
    /// @param _l1BlockNumber The number of that L1 block (must be in the past if the hash is set).
    function proposeL2Output(bytes32 _outputRoot, uint256 _l2BlockNumber, bytes32 _l1BlockHash, uint256 _l1BlockNumber)
        external
    {
        if (msg.sender != proposer) revert NotProposer();
        if (_outputRoot == bytes32(0)) revert EmptyOutputRoot();
        uint256 latest = latestBlockNumber();
        if (_l2BlockNumber <= latest) revert BlockNumberNotIncreasing(_l2BlockNumber, latest);
        if (_l2BlockNumber > type(uint128).max) revert BlockNumberTooLarge(_l2BlockNumber);
        if (_l1BlockHash != bytes32(0)) {
            if (_l1BlockNumber >= block.number) revert L1BlockInFuture(_l1BlockNumber);
            bytes32 actual = blockhash(_l1BlockNumber);
            if (actual != bytes32(0) && actual != _l1BlockHash) revert L1BlockHashMismatch(_l1BlockHash, actual);
        }

        emit OutputProposed(_outputRoot, l2Outputs.length, _l2BlockNumber, block.timestamp);
        l2Outputs.push(
            OutputProposal({
                outputRoot: _outputRoot,
                timestamp: uint128(block.timestamp),
                l2BlockNumber: uint128(_l2BlockNumber)
            })
        );
    }

    /// @notice The output at `_l2OutputIndex`; reverts with `OutputNotFound` if there is none.
    function getL2Output(uint256 _l2OutputIndex) external view returns (OutputProposal memory) {
        if (_l2OutputIndex >= l2Outputs.length) revert OutputNotFound(_l2OutputIndex);
        return l2Outputs[_l2OutputIndex];
    }

    /// @notice Index of the newest output; reverts with `NoOutputs` before the first proposal.
    function latestOutputIndex() external view returns (uint256) {
        if (l2Outputs.length == 0) revert NoOutputs();
        return l2Outputs.length - 1;
    }

    /// @notice Index of the next output to be proposed (the number of outputs so far).
    function nextOutputIndex() external view returns (uint256) {
        return l2Outputs.length;
    }

    /// @notice L2 block of the newest output, or `startingBlockNumber` before the first.
    function latestBlockNumber() public view returns (uint256) {
        uint256 n = l2Outputs.length;
        return n == 0 ? startingBlockNumber : l2Outputs[n - 1].l2BlockNumber;
    }

    /// @notice `latestBlockNumber() + submissionInterval`: the block the proposer should propose
    ///         next (advisory).
    function nextBlockNumber() external view returns (uint256) {
        return latestBlockNumber() + submissionInterval;
    }

    /// @notice Index of the first output whose L2 block is at or after `_l2BlockNumber` (the
    ///         output a withdrawal from that block is proven against); reverts with
    ///         `NoOutputAfter` if there is none yet.
    function getL2OutputIndexAfter(uint256 _l2BlockNumber) public view returns (uint256) {
        uint256 lo = 0;
        uint256 hi = l2Outputs.length;
        // Outputs are sorted by l2BlockNumber: binary search for the first one >= _l2BlockNumber.
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (l2Outputs[mid].l2BlockNumber < _l2BlockNumber) lo = mid + 1;
            else hi = mid;
        }
        if (lo == l2Outputs.length) revert NoOutputAfter(_l2BlockNumber);
        return lo;
    }

    /// @notice The first output at or after `_l2BlockNumber` (see `getL2OutputIndexAfter`).
    function getL2OutputAfter(uint256 _l2BlockNumber) external view returns (OutputProposal memory) {
        return l2Outputs[getL2OutputIndexAfter(_l2BlockNumber)];
    }

    /// @notice Semantic version of this contract.
    function version() external pure returns (string memory) {
        return "1.0.0";
    }
}
