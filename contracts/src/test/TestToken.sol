// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestToken
/// @notice A plain OpenZeppelin ERC-20 ("Test Token", "TST", 18 decimals) for end-to-end tests.
contract TestToken is ERC20 {
    /// @param initialSupply Token units (with 18 decimals) minted to the deployer.
    constructor(uint256 initialSupply) ERC20("Test Token", "TST") {
        _mint(msg.sender, initialSupply);
    }
}
