// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AddressAliasHelper} from "../lib/AddressAliasHelper.sol";

/// @title DepositPortal
/// @notice The L1 entry point of deposits (forced transactions) into the L2. Each deposit is one
///         `TransactionDeposited` log, laid out exactly as OP Stack's OptimismPortal emits it, so the
///         node's derivation turns it into a 0x7E deposit transaction with the OP source hash.
///         ETH sent along (`msg.value`, the "mint") stays locked in this contract and is minted on
///         L2 to the deposit's sender. See docs/spec/contracts.md.
contract DepositPortal {
    /// @notice Version of the `opaqueData` encoding of `TransactionDeposited`.
    uint256 public constant DEPOSIT_VERSION = 0;

    /// @notice Largest gas limit a deposit may ask for on L2.
    uint64 public constant MAX_DEPOSIT_GAS = 20_000_000;

    /// @notice Largest calldata a deposit may carry, in bytes.
    uint256 public constant MAX_DATA_SIZE = 120_000;

    /// @notice L2 gas limit of the deposit made by `receive()` (plain ETH transfers).
    uint64 public constant RECEIVE_DEFAULT_GAS_LIMIT = 100_000;

    /// @notice Emitted once per deposit.
    /// @param from       The L2 sender: `msg.sender` for an EOA, its alias for a contract.
    /// @param to         The L2 recipient (zero for a contract creation).
    /// @param version    Encoding version of `opaqueData` (always `DEPOSIT_VERSION`).
    /// @param opaqueData `abi.encodePacked(uint256 mint, uint256 value, uint64 gasLimit,
    ///                   bool isCreation, bytes data)`.
    event TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData);

    /// @notice A contract creation must have `_to == address(0)`.
    error BadTarget();

    /// @notice `_gasLimit` is below `minimumGasLimit(_data.length)`.
    error GasLimitTooLow(uint64 gasLimit, uint64 minimum);

    /// @notice `_gasLimit` is above `MAX_DEPOSIT_GAS`.
    error GasLimitTooHigh(uint64 gasLimit, uint64 maximum);

    /// @notice `_data` is longer than `MAX_DATA_SIZE`.
    error LargeCalldata(uint256 size, uint256 maximum);

    /// @notice Deposits ETH to the sender's own address on L2 (OP Stack behaviour): a deposit with
    ///         `to = msg.sender`, `value = mint = msg.value`, gas `RECEIVE_DEFAULT_GAS_LIMIT`, no
    ///         data. A contract sender is aliased in `from` but not in `to`.
    receive() external payable {
        _deposit(msg.sender, msg.value, RECEIVE_DEFAULT_GAS_LIMIT, false, bytes(""));
    }

    /// @notice Submits a deposit transaction for inclusion in the L2.
    /// @param _to         L2 recipient; must be zero when `_isCreation`.
    /// @param _value      Wei the L2 transaction transfers (taken from the L2 balance of `from`,
    ///                    which `msg.value` is minted into first).
    /// @param _gasLimit   L2 gas limit, in `[minimumGasLimit(_data.length), MAX_DEPOSIT_GAS]`.
    /// @param _isCreation Whether the L2 transaction creates a contract from `_data`.
    /// @param _data       L2 calldata (or init code), at most `MAX_DATA_SIZE` bytes.
    function depositTransaction(
        address _to,
        uint256 _value,
        uint64 _gasLimit,
        bool _isCreation,
        bytes memory _data
    ) external payable {
        _deposit(_to, _value, _gasLimit, _isCreation, _data);
    }

    /// @notice The smallest L2 gas limit a deposit with `_byteCount` bytes of data may ask for:
    ///         `21000 + 16 * _byteCount` (intrinsic gas with every byte priced as nonzero).
    function minimumGasLimit(uint64 _byteCount) public pure returns (uint64) {
        return _byteCount * 16 + 21_000;
    }

    /// @notice Semantic version of this contract.
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    function _deposit(address _to, uint256 _value, uint64 _gasLimit, bool _isCreation, bytes memory _data) private {
        if (_isCreation && _to != address(0)) revert BadTarget();
        // Checked before the gas floor so that `uint64(_data.length)` cannot truncate.
        if (_data.length > MAX_DATA_SIZE) revert LargeCalldata(_data.length, MAX_DATA_SIZE);
        uint64 minimum = minimumGasLimit(uint64(_data.length));
        if (_gasLimit < minimum) revert GasLimitTooLow(_gasLimit, minimum);
        if (_gasLimit > MAX_DEPOSIT_GAS) revert GasLimitTooHigh(_gasLimit, MAX_DEPOSIT_GAS);

        // A contract caller is aliased so that it cannot act as the L2 account at its own address.
        address from = msg.sender;
        if (msg.sender != tx.origin) from = AddressAliasHelper.applyL1ToL2Alias(msg.sender);

        bytes memory opaqueData = abi.encodePacked(msg.value, _value, _gasLimit, _isCreation, _data);
        emit TransactionDeposited(from, _to, DEPOSIT_VERSION, opaqueData);
    }
}
