// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title L1Block
/// @notice L2 predeploy at 0x4200000000000000000000000000000000000015 holding the attributes of
///         the L2 chain's current L1 origin. The first transaction of every L2 block is the
///         L1-info deposit from `DEPOSITOR_ACCOUNT` calling `setL1BlockValues`.
/// @dev    Its runtime bytecode is placed in genesis, so it has no constructor logic and no
///         immutables. The node reads its storage directly, so every field has a whole slot of
///         its own, in a fixed order (slot 0 `number` ... slot 9 `proofFeePerGas`; the build
///         checks solc's storage layout against docs/spec/contracts.md). Fields are stored as
///         full-width words (zero-extended) to stop Solidity from packing the small ones; the
///         getters return OP Stack's types.
contract L1Block {
    /// @notice The account that sends the L1-info deposit transaction (OP Stack's depositor).
    address public constant DEPOSITOR_ACCOUNT = 0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001;

    uint256 private _number; // slot 0
    uint256 private _timestamp; // slot 1
    uint256 private _basefee; // slot 2
    bytes32 private _hash; // slot 3
    uint256 private _sequenceNumber; // slot 4
    bytes32 private _batcherHash; // slot 5
    uint256 private _blobBaseFee; // slot 6
    uint256 private _baseFeeScalar; // slot 7
    uint256 private _blobBaseFeeScalar; // slot 8
    uint256 private _proofFeePerGas; // slot 9

    /// @notice `setL1BlockValues` was called by someone other than `DEPOSITOR_ACCOUNT`.
    error NotDepositor();

    /// @notice The L1 origin's block number.
    function number() external view returns (uint64) {
        return uint64(_number);
    }

    /// @notice The L1 origin's timestamp.
    function timestamp() external view returns (uint64) {
        return uint64(_timestamp);
    }

    /// @notice The L1 origin's base fee, in wei.
    function basefee() external view returns (uint256) {
        return _basefee;
    }

    /// @notice The L1 origin's block hash.
    function hash() external view returns (bytes32) {
        return _hash;
    }

    /// @notice The L2 block's position within its epoch (0 for the first block of an L1 origin).
    function sequenceNumber() external view returns (uint64) {
        return uint64(_sequenceNumber);
    }

    /// @notice The versioned hash of the authorized batcher (OP Stack: the address, left-padded).
    function batcherHash() external view returns (bytes32) {
        return _batcherHash;
    }

    /// @notice The L1 origin's blob base fee, in wei.
    function blobBaseFee() external view returns (uint256) {
        return _blobBaseFee;
    }

    /// @notice The scalar applied to the L1 base fee in the data fee (Ecotone/Fjord).
    function baseFeeScalar() external view returns (uint32) {
        return uint32(_baseFeeScalar);
    }

    /// @notice The scalar applied to the L1 blob base fee in the data fee (Ecotone/Fjord).
    function blobBaseFeeScalar() external view returns (uint32) {
        return uint32(_blobBaseFeeScalar);
    }

    /// @notice The proof fee per unit of L2 gas used, in wei (0 by default).
    function proofFeePerGas() external view returns (uint256) {
        return _proofFeePerGas;
    }

    /// @notice Records the attributes of the current L1 origin. Only `DEPOSITOR_ACCOUNT` may call.
    /// @param _l1Number          L1 block number.
    /// @param _l1Timestamp       L1 block timestamp.
    /// @param _l1Basefee         L1 base fee.
    /// @param _l1Hash            L1 block hash.
    /// @param _l2SequenceNumber  Number of L2 blocks since the start of the epoch.
    /// @param _l1BatcherHash     Versioned hash of the batcher.
    /// @param _l1BlobBaseFee     L1 blob base fee.
    /// @param _l1BaseFeeScalar   Base fee scalar of the data fee.
    /// @param _l1BlobBaseFeeScalar Blob base fee scalar of the data fee.
    /// @param _l2ProofFeePerGas  Proof fee per L2 gas.
    function setL1BlockValues(
        uint64 _l1Number,
        uint64 _l1Timestamp,
        uint256 _l1Basefee,
        bytes32 _l1Hash,
        uint64 _l2SequenceNumber,
        bytes32 _l1BatcherHash,
        uint256 _l1BlobBaseFee,
        uint32 _l1BaseFeeScalar,
        uint32 _l1BlobBaseFeeScalar,
        uint256 _l2ProofFeePerGas
    ) external {
        if (msg.sender != DEPOSITOR_ACCOUNT) revert NotDepositor();
        _number = _l1Number;
        _timestamp = _l1Timestamp;
        _basefee = _l1Basefee;
        _hash = _l1Hash;
        _sequenceNumber = _l2SequenceNumber;
        _batcherHash = _l1BatcherHash;
        _blobBaseFee = _l1BlobBaseFee;
        _baseFeeScalar = _l1BaseFeeScalar;
        _blobBaseFeeScalar = _l1BlobBaseFeeScalar;
        _proofFeePerGas = _l2ProofFeePerGas;
    }

    /// @notice Semantic version of this contract.
    function version() external pure returns (string memory) {
        return "1.0.0";
    }
}
